package io.promfetcher.workload.announce;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays route-emitter's part for one local process: publishes {@code router.register} every
 * interval and at once when a router announces {@code router.start}, and
 * {@code router.unregister} on close, so the gateway can find every instance of a service.
 */
public final class RouteAnnouncer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteAnnouncer.class);

    private final RouteRegistration registration;
    private final Connection nats;
    private final ScheduledExecutorService timer;

    private RouteAnnouncer(RouteRegistration registration, Connection nats) {
        this.registration = registration;
        this.nats = nats;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-announcer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects (retrying in the background if NATS is not up yet: reconnects are unlimited) and
     * starts announcing.
     */
    public static RouteAnnouncer start(String natsUrl, RouteRegistration registration, Duration interval)
            throws IOException, InterruptedException {
        Options options = new Options.Builder()
                .server(natsUrl)
                .connectionName("thux-" + registration.app() + "-" + registration.instanceIndex())
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .build();
        Connection nats = Nats.connectReconnectOnConnect(options);
        RouteAnnouncer announcer = new RouteAnnouncer(registration, nats);
        Dispatcher dispatcher = nats.createDispatcher(message -> announcer.register());
        dispatcher.subscribe("router.start");
        announcer.timer.scheduleAtFixedRate(announcer::register, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return announcer;
    }

    private void register() {
        try {
            nats.publish("router.register", registration.toJson());
        } catch (RuntimeException e) {
            // Not connected yet or closing: the next tick (or router.start) sends it again.
            LOG.debug("router.register not sent: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            nats.publish("router.unregister", registration.toJson());
            nats.flush(Duration.ofSeconds(2));
        } catch (Exception e) {
            LOG.warn("router.unregister not confirmed: {}", e.getMessage());
        }
        try {
            nats.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
