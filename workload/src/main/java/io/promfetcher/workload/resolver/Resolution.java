package io.promfetcher.workload.resolver;

import java.util.Optional;

/** What following a link's redirects gave. */
public sealed interface Resolution {
    /** The URL that goes into the hotlist for this mention, if any. */
    Optional<String> scoredUrl();

    /** The chain ended on a 2xx page: that URL is the final URL. */
    record Resolved(String finalUrl, int hops) implements Resolution {
        @Override
        public Optional<String> scoredUrl() {
            return Optional.of(finalUrl);
        }
    }

    /**
     * The chain broke on the network (timeout, refused, reset): the deepest URL known is scored
     * instead, as the original did, but not cached, so the next mention tries again.
     */
    record Fallback(String url, String reason) implements Resolution {
        @Override
        public Optional<String> scoredUrl() {
            return Optional.of(url);
        }
    }

    /** Nothing worth scoring (loop, error page, not HTTP, not a URL); {@code reason} labels the count. */
    record Dropped(String reason) implements Resolution {
        @Override
        public Optional<String> scoredUrl() {
            return Optional.empty();
        }
    }
}
