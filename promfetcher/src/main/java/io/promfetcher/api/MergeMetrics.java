package io.promfetcher.api;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.exposition.FailureReason;
import io.promfetcher.exposition.MergeReport;

/** What merging did to the instances' samples: parse failures, dropped duplicates and conflicts. */
public final class MergeMetrics {
    private final Counter instances;
    private final Counter samples;
    private final Counter dropped;
    private final Counter fallback;
    private final Counter refusedForMemory;

    public MergeMetrics(PrometheusRegistry registry) {
        instances = Counter.builder()
                .name("promfetcher_merge_instances_total")
                .help("Instances in merged responses, by result (up, or the failure reason: timeout, connect, tls, http_<status>, too_large, parse).")
                .labelNames("result")
                .register(registry);
        samples = Counter.builder()
                .name("promfetcher_merge_samples_total")
                .help("Samples written into merged responses.")
                .register(registry);
        dropped = Counter.builder()
                .name("promfetcher_merge_samples_dropped_total")
                .help("Samples left out of merged responses, by reason: duplicate (same series twice in one body), conflict (type differs from the lowest-index instance's).")
                .labelNames("reason")
                .register(registry);
        fallback = Counter.builder()
                .name("promfetcher_merge_content_type_fallback_total")
                .help("Instance bodies whose Content-Type named no format the gateway reads, read as Prometheus text 0.0.4.")
                .register(registry);
        refusedForMemory = Counter.builder()
                .name("promfetcher_merge_instances_refused_memory_total")
                .help("Instances left out of merged responses (reason too_large) because their merged output did not fit in the memory budget (scrape.max_buffered_bytes) beside other requests'.")
                .register(registry);
        dropped.labelValues("duplicate");
        dropped.labelValues("conflict");
        instances.labelValues("up");
    }

    void refusedForMemory(int instances) {
        if (instances > 0) {
            refusedForMemory.inc(instances);
        }
    }

    void record(MergeReport report) {
        for (MergeReport.InstanceOutcome i : report.instances()) {
            instances.labelValues(i.failure().map(FailureReason::label).orElse("up")).inc();
            samples.inc(i.samples());
            if (i.duplicates() > 0) {
                dropped.labelValues("duplicate").inc(i.duplicates());
            }
            if (i.conflicts() > 0) {
                dropped.labelValues("conflict").inc(i.conflicts());
            }
            if (i.contentTypeFallback()) {
                fallback.inc();
            }
        }
    }
}
