package io.promfetcher.scrape;

import java.time.Duration;
import java.util.Objects;

/**
 * What one fan-out asks of every instance of an app (the path scraped is each target's own).
 *
 * @param headers    what the caller's request contributes ({@link HeaderPolicy#forCaller})
 * @param deadline   time budget of the whole fan-out, counted from {@link ScrapeClient#scrape}:
 *                   an instance not done by then fails with {@code timeout}. Each instance also
 *                   has the configured per-instance timeout; the shorter wins. See
 *                   {@link ScrapeClient#deadlineFor} for deriving it from the caller's
 *                   {@code X-Prometheus-Scrape-Timeout-Seconds}.
 * @param accept     the {@code Accept} header sent to the instances: the formats the caller's
 *                   answer is best made from, in its order of preference (protobuf first for a
 *                   caller that asked for it: native histograms exist only there)
 */
public record ScrapeRequest(ForwardedHeaders headers, Duration deadline, String accept) {
    public ScrapeRequest {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(accept, "accept");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("fan-out deadline must be positive, not " + deadline);
        }
    }

    /** Asking the instances with {@link HeaderPolicy#ACCEPT} (OpenMetrics preferred). */
    public ScrapeRequest(ForwardedHeaders headers, Duration deadline) {
        this(headers, deadline, HeaderPolicy.ACCEPT);
    }
}
