package io.promfetcher.workload.redis;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Queue and list sizes read from Redis at scrape time. When Redis is unreachable the sample is
 * left out (rather than a made-up 0) and {@code redis_connection_errors_total} tells why.
 */
public final class WorkloadGauges {
    private WorkloadGauges() {}

    public static void inboxLength(PrometheusRegistry registry, Inbox inbox) {
        GaugeWithCallback.builder()
                .name("thux_inbox_length")
                .help("URLs waiting in the inbox (incoming_urls)")
                .callback(callback -> {
                    try {
                        callback.call(inbox.length());
                    } catch (RuntimeException unreachable) {
                        // no sample this scrape
                    }
                })
                .register(registry);
    }

    public static void hotlistSize(PrometheusRegistry registry, Hotlist hotlist) {
        GaugeWithCallback.builder()
                .name("thux_hotlist_size")
                .help("URLs in the hotlist (url_hotlist)")
                .callback(callback -> {
                    try {
                        callback.call(hotlist.size());
                    } catch (RuntimeException unreachable) {
                        // no sample this scrape
                    }
                })
                .register(registry);
    }
}
