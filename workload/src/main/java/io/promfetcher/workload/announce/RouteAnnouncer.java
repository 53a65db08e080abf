package io.promfetcher.workload.announce;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays route-emitter's part for one local process: publishes {@code router.register} every
 * interval and at once when a router announces {@code router.start}, and
 * {@code router.unregister} on close, so the gateway can find every instance of a service.
 * Connecting happens in the background, retried for ever: a service starts (and serves) before
 * NATS is up, and announces itself once it is.
 */
public final class RouteAnnouncer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteAnnouncer.class);

    private final RouteRegistration registration;
    private final ScheduledExecutorService timer;
    private volatile Connection nats;

    private RouteAnnouncer(RouteRegistration registration) {
        this.registration = registration;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-announcer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts connecting and announcing; returns at once. */
    public static RouteAnnouncer start(String natsUrl, RouteRegistration registration, Duration interval) {
        Options options = new Options.Builder()
                .servers(Arrays.stream(natsUrl.split(",")).map(String::trim).toArray(String[]::new))
                .connectionName("thux-" + registration.app() + "-" + registration.instanceIndex())
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                // The library's default listener logs every failed attempt at SEVERE: too loud for a
                // process that simply started before NATS. Connection changes are logged once each.
                .errorListener(new ErrorListener() {
                    @Override
                    public void exceptionOccurred(Connection connection, Exception e) {
                        LOG.debug("NATS: {}", e.toString());
                    }
                })
                .connectionListener((connection, event) -> LOG.info("NATS {}: {}", natsUrl, event))
                .build();
        RouteAnnouncer announcer = new RouteAnnouncer(registration);
        announcer.timer.execute(() -> announcer.connect(options, interval));
        return announcer;
    }

    private void connect(Options options, Duration interval) {
        try {
            // Blocks this (announcer) thread until the first connection; reconnects for ever after.
            Connection connection = Nats.connectReconnectOnConnect(options);
            nats = connection;
            Dispatcher dispatcher = connection.createDispatcher(message -> register());
            dispatcher.subscribe("router.start");
            timer.scheduleAtFixedRate(this::register, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("announcing {} on NATS every {}", registration.uri(), interval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("route announcer cannot use NATS: {}", e.getMessage());
        }
    }

    private void register() {
        try {
            nats.publish("router.register", registration.toJson());
        } catch (RuntimeException e) {
            // Disconnected or closing: the next tick (or router.start) sends it again.
            LOG.debug("router.register not sent: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        Connection connection = nats;
        if (connection == null) {
            return; // never connected: nothing was announced
        }
        try {
            connection.publish("router.unregister", registration.toJson());
            connection.flush(Duration.ofSeconds(2));
        } catch (Exception e) {
            LOG.warn("router.unregister not confirmed: {}", e.getMessage());
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
