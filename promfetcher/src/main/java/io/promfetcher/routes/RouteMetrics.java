package io.promfetcher.routes;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/**
 * The route table's and NATS connection's metrics, for the gateway's own {@code /metrics}. Sizes,
 * connection state and ages are read at scrape time from the table and the connection state;
 * counters are incremented by the subscriber.
 */
final class RouteMetrics {
    private final Counter registrations;
    private final Counter unregistrations;
    private final Counter malformed;
    private final Counter pruned;
    private final Counter routerStarts;

    RouteMetrics(PrometheusRegistry registry, RouteTable table, ConnectionState connection, LongSupplier nanoClock) {
        long createdNanos = nanoClock.getAsLong();
        GaugeWithCallback.builder().name("promfetcher_routes_apps")
                .help("Apps with at least one instance in the route table.")
                .callback(cb -> cb.call(table.appCount())).register(registry);
        GaugeWithCallback.builder().name("promfetcher_routes_instances")
                .help("App instances in the route table (one per instance, however many routes it has).")
                .callback(cb -> cb.call(table.instanceCount())).register(registry);
        GaugeWithCallback.builder().name("promfetcher_routes_components")
                .help("Endpoints of BOSH components (routes without app tags) in the route table.")
                .callback(cb -> cb.call(table.componentCount())).register(registry);
        GaugeWithCallback.builder().name("promfetcher_routes_routes")
                .help("Distinct routes (URIs) in the route table.")
                .callback(cb -> cb.call(table.routeCount())).register(registry);
        GaugeWithCallback.builder().name("promfetcher_routes_warming_up")
                .help("1 until one register interval has passed since the first NATS connection: unknown apps get 503, not 404.")
                .callback(cb -> cb.call(connection.warmingUp() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("promfetcher_routes_last_announcement_age_seconds")
                .help("Seconds since the last router.register or router.unregister (since start if none yet).")
                .callback(cb -> cb.call((nanoClock.getAsLong()
                        - table.lastAnnouncementNanos().orElse(createdNanos)) / 1e9))
                .register(registry);
        GaugeWithCallback.builder().name("promfetcher_nats_connected")
                .help("1 while connected to a NATS server, else 0.")
                .callback(cb -> cb.call(connection.connected() ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name("promfetcher_nats_reconnects_total")
                .help("Times the NATS connection came back after being lost.")
                .callback(cb -> cb.call(connection.reconnects())).register(registry);
        registrations = Counter.builder().name("promfetcher_routes_registrations_total")
                .help("router.register messages applied.").register(registry);
        unregistrations = Counter.builder().name("promfetcher_routes_unregistrations_total")
                .help("router.unregister messages applied.").register(registry);
        malformed = Counter.builder().name("promfetcher_routes_malformed_messages_total")
                .help("Route announcements rejected, by reason.").labelNames("reason").register(registry);
        for (MalformedReason reason : MalformedReason.values()) {
            malformed.labelValues(reason.label()); // present at 0 so rate() and alerts work from the start
        }
        pruned = Counter.builder().name("promfetcher_routes_pruned_instances_total")
                .help("Endpoints removed because they were not announced within their stale threshold.")
                .register(registry);
        routerStarts = Counter.builder().name("promfetcher_routes_router_starts_total")
                .help("router.start messages seen (a router started or reconnected).").register(registry);
    }

    void registration() {
        registrations.inc();
    }

    void unregistration() {
        unregistrations.inc();
    }

    void malformed(MalformedReason reason) {
        malformed.labelValues(reason.label()).inc();
    }

    void pruned(int count) {
        if (count > 0) {
            pruned.inc(count);
        }
    }

    void routerStart() {
        routerStarts.inc();
    }
}
