package io.promfetcher.routes;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicReference;

/** A NATS route source with a table of its own, wired the way {@code Gateway} wires them (the table warms up with the source). */
final class NatsSource {
    private NatsSource() {}

    static NatsAnnouncements create(RoutesSettings settings, NatsSettings nats, PrometheusRegistry registry) {
        AtomicReference<NatsAnnouncements> source = new AtomicReference<>();
        RouteTable table = new RouteTable(System::nanoTime, settings.staleThreshold(), () -> source.get().warmingUp());
        source.set(new NatsAnnouncements(table, settings, nats, registry));
        return source.get();
    }
}
