package io.promfetcher.api;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.IntSupplier;

/** The API server's own metrics: requests by endpoint and status, latency, in flight, rejected. */
final class ApiMetrics {
    private final Counter requests;
    private final Histogram duration;
    private final Counter rejected;

    ApiMetrics(PrometheusRegistry registry, IntSupplier inFlight) {
        requests = Counter.builder()
                .name("promfetcher_http_requests_total")
                .help("API requests answered, by endpoint and HTTP status code.")
                .labelNames("endpoint", "code")
                .register(registry);
        duration = Histogram.builder()
                .name("promfetcher_http_request_duration_seconds")
                .help("Time from a complete API request to its response being written, by endpoint.")
                .unit(Unit.SECONDS)
                .labelNames("endpoint")
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        rejected = Counter.builder()
                .name("promfetcher_http_requests_rejected_total")
                .help("API requests and connections refused before reaching an endpoint, by reason (overload, draining, connections, header_timeout, obs_fold, transfer_encoding, pipelining).")
                .labelNames("reason")
                .register(registry);
        GaugeWithCallback.builder()
                .name("promfetcher_http_requests_in_flight")
                .help("API requests received and not yet answered.")
                .callback(cb -> cb.call(inFlight.getAsInt()))
                .register(registry);
        // Make the series exist from the start, so rate() and alerts see zeros rather than nothing.
        for (String reason : new String[] {"overload", "draining", "connections", "header_timeout", "obs_fold", "transfer_encoding", "pipelining"}) {
            rejected.labelValues(reason);
        }
    }

    void answered(String endpoint, int code, long nanos) {
        requests.labelValues(endpoint, Integer.toString(code)).inc();
        duration.labelValues(endpoint).observe(nanos / 1e9);
    }

    void rejected(String reason) {
        rejected.labelValues(reason).inc();
    }
}
