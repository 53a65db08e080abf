package io.promfetcher.exposition;

/**
 * Whether the merged output carries the per-instance scrape status families of design §5
 * ({@code promfetcher_scrape_up}, {@code _duration_seconds}, {@code _samples}, {@code _error}):
 * included for {@code /metrics}, omitted for {@code /only-app-metrics}.
 */
public enum ScrapeStatus {
    INCLUDED,
    OMITTED
}
