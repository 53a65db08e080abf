package io.promfetcher.scrape;

import io.promfetcher.exposition.FailureReason;
import java.time.Duration;
import java.util.Objects;

/**
 * What happened to one instance of a fan-out: its body, or why there is none. Durations are
 * counted from the start of the fan-out, so they include any wait for a connection slot.
 */
public sealed interface ScrapeOutcome<T> {
    ScrapeTarget<T> target();

    Duration duration();

    /** Shortcut for {@code target().instance()}. */
    default T instance() {
        return target().instance();
    }

    /**
     * HTTP 200 and the whole body, decompressed.
     *
     * @param body        the body after gzip decoding; never truncated (the array is not
     *                    copied: do not modify it)
     * @param contentType the instance's {@code Content-Type}, "" when it sent none
     * @param memory      the share of the {@link MemoryBudget} the body takes: the receiver of
     *                    the outcome owns it and must release it once done with the body
     */
    record Success<T>(ScrapeTarget<T> target, byte[] body, String contentType, Duration duration,
                      MemoryBudget.Hold memory) implements ScrapeOutcome<T> {
        public Success {
            Objects.requireNonNull(target);
            Objects.requireNonNull(body);
            Objects.requireNonNull(contentType);
            Objects.requireNonNull(memory);
        }
    }

    /**
     * No usable body.
     *
     * @param reason why: {@code http_<status>} for any status but 200 (redirects are never
     *               followed), else a reason of the connection, the time limits or the size limits
     * @param detail what an operator needs to know, in words
     */
    record Failure<T>(ScrapeTarget<T> target, FailureReason reason, String detail, Duration duration)
            implements ScrapeOutcome<T> {
        public Failure {
            Objects.requireNonNull(target);
            Objects.requireNonNull(reason);
            Objects.requireNonNull(detail);
        }
    }
}
