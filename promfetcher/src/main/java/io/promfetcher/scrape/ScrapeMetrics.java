package io.promfetcher.scrape;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.promfetcher.exposition.FailureReason;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** The fan-out client's own metrics, on the gateway's registry. */
final class ScrapeMetrics {
    private final Counter scrapes;
    private final Histogram fanoutDuration;
    private final Counter receivedBytes;
    private final Counter connectionsOpened;

    ScrapeMetrics(PrometheusRegistry registry, IntSupplier connectionsOpen, IntSupplier inFlight, IntSupplier waiting,
                  LongSupplier bufferedBytes, LongSupplier budgetLimit) {
        scrapes = Counter.builder()
                .name("promfetcher_instance_scrapes_total")
                .help("Instance scrapes finished, by outcome: success, timeout, connect, tls, too_large or http_<status>.")
                .labelNames("outcome")
                .register(registry);
        fanoutDuration = Histogram.builder()
                .name("promfetcher_fanout_duration_seconds")
                .help("Time from the start of a fan-out to the last of its instances finishing.")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        receivedBytes = Counter.builder()
                .name("promfetcher_instance_received_bytes_total")
                .help("Instance response body bytes, as received (stage=wire, compressed if gzip) and after decompression (stage=decoded).")
                .labelNames("stage")
                .register(registry);
        connectionsOpened = Counter.builder()
                .name("promfetcher_instance_connections_opened_total")
                .help("Connections opened to instances; compare with scrapes to see keep-alive at work.")
                .register(registry);
        GaugeWithCallback.builder()
                .name("promfetcher_instance_connections_open")
                .help("Connections to instances open now, busy or idle in the pool.")
                .callback(cb -> cb.call(connectionsOpen.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("promfetcher_instance_scrapes_in_flight")
                .help("Instance scrapes holding a connection slot now.")
                .callback(cb -> cb.call(inFlight.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("promfetcher_instance_scrapes_waiting")
                .help("Instance scrapes waiting for a connection slot (concurrency limits reached).")
                .callback(cb -> cb.call(waiting.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("promfetcher_memory_budget_used_bytes")
                .help("Memory taken from the one budget (scrape.max_buffered_bytes) by instance bodies, received or being received, and merged output not yet written.")
                .unit(Unit.BYTES)
                .callback(cb -> cb.call(bufferedBytes.getAsLong()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("promfetcher_memory_budget_limit_bytes")
                .help("The memory budget for instance bodies and merged output (scrape.max_buffered_bytes; 0 there means half the heap).")
                .unit(Unit.BYTES)
                .callback(cb -> cb.call(budgetLimit.getAsLong()))
                .register(registry);
        // Series that exist from the start, so rate() and alerts see zeros rather than nothing.
        scrapes.labelValues("success");
        for (FailureReason reason : List.of(FailureReason.TIMEOUT, FailureReason.CONNECT, FailureReason.TLS, FailureReason.TOO_LARGE)) {
            scrapes.labelValues(reason.label());
        }
        receivedBytes.labelValues("wire");
        receivedBytes.labelValues("decoded");
    }

    void finished(ScrapeOutcome<?> outcome) {
        scrapes.labelValues(outcome instanceof ScrapeOutcome.Failure<?> f ? f.reason().label() : "success").inc();
    }

    void fanoutFinished(long nanos) {
        fanoutDuration.observe(nanos / 1e9);
    }

    void wireBytes(long n) {
        receivedBytes.labelValues("wire").inc(n);
    }

    void decodedBytes(long n) {
        receivedBytes.labelValues("decoded").inc(n);
    }

    void connectionOpened() {
        connectionsOpened.inc();
    }
}
