package io.promfetcher.exposition;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the fan-out got from one app instance: either a body to parse ({@link Body}) or a failure
 * ({@link Failure}), with the instance's target labels and how long the scrape took.
 */
public sealed interface InstanceScrape permits InstanceScrape.Body, InstanceScrape.Failure {

    TargetLabels target();

    Duration duration();

    /**
     * A response body, already gzip-decoded, in {@code bytes[offset, offset+length)}, and the
     * instance's Content-Type header ({@code ""} when it sent none). The merger only reads the
     * bytes, and only during {@link ExpositionMerger#merge}.
     */
    record Body(TargetLabels target, byte[] bytes, int offset, int length, String contentType, Duration duration)
            implements InstanceScrape {
        public Body {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(duration, "duration");
            Objects.checkFromIndexSize(offset, length, bytes.length);
        }

        public Body(TargetLabels target, byte[] bytes, String contentType, Duration duration) {
            this(target, bytes, 0, bytes.length, contentType, duration);
        }
    }

    /**
     * A scrape that produced no body: {@code reason} is one of {@code timeout}, {@code connect},
     * {@code tls}, {@code http_<status>}, {@code too_large} (the §5 reasons the fan-out decides).
     */
    record Failure(TargetLabels target, String reason, Duration duration) implements InstanceScrape {
        private static final Pattern REASONS = Pattern.compile("timeout|connect|tls|http_[1-5][0-9][0-9]|too_large");

        public Failure {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(duration, "duration");
            if (!REASONS.matcher(reason).matches()) {
                throw new IllegalArgumentException("unknown scrape failure reason " + reason);
            }
        }
    }
}
