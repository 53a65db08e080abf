package io.promfetcher.routes;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/** Reads one value from a registry the way a scrape would. */
final class Metrics {
    private Metrics() {}

    /**
     * @param name        the family name without {@code _total}
     * @param labelValues alternating label names and values the data point must carry
     */
    static double value(PrometheusRegistry registry, String name, String... labelValues) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (!snapshot.getMetadata().getPrometheusName().equals(name)) {
                continue;
            }
            for (var point : snapshot.getDataPoints()) {
                boolean match = true;
                for (int i = 0; i < labelValues.length; i += 2) {
                    match &= labelValues[i + 1].equals(point.getLabels().get(labelValues[i]));
                }
                if (!match) {
                    continue;
                }
                if (point instanceof CounterSnapshot.CounterDataPointSnapshot counter) {
                    return counter.getValue();
                }
                if (point instanceof GaugeSnapshot.GaugeDataPointSnapshot gauge) {
                    return gauge.getValue();
                }
            }
        }
        throw new AssertionError("no metric " + name + " " + String.join(",", labelValues));
    }
}
