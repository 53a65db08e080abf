package io.promfetcher.exposition;

import java.time.Duration;
import java.util.Objects;

/**
 * What the fan-out got from one app instance: either a body to parse ({@link Body}) or a failure
 * ({@link Failure}), with the instance's target labels and how long the scrape took.
 */
public sealed interface InstanceScrape permits InstanceScrape.Body, InstanceScrape.Failure, InstanceScrape.Supplement {

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
     * Samples the gateway itself adds about an instance (its container metrics), in text 0.0.4
     * or OpenMetrics as {@code contentType} says: merged like a body and labelled with
     * {@code target} (the instance's own labels), but not an instance: it is not in the scrape
     * status families nor in the {@link MergeReport}, and does not conflict with the instance
     * whose labels it shares. The families it brings are the gateway's: an instance's own
     * families of those names are dropped as conflicts, as for the scrape status families.
     */
    record Supplement(TargetLabels target, byte[] bytes, String contentType) implements InstanceScrape {
        public Supplement {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(contentType, "contentType");
        }

        @Override
        public Duration duration() {
            return Duration.ZERO;
        }
    }

    /** A scrape that produced no body, and why (a reason the fan-out decides). */
    record Failure(TargetLabels target, FailureReason reason, Duration duration) implements InstanceScrape {
        public Failure {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(duration, "duration");
        }
    }
}
