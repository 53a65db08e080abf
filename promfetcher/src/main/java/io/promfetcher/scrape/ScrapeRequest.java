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
 */
public record ScrapeRequest(ForwardedHeaders headers, Duration deadline) {
    public ScrapeRequest {
        Objects.requireNonNull(headers, "headers");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("fan-out deadline must be positive, not " + deadline);
        }
    }
}
