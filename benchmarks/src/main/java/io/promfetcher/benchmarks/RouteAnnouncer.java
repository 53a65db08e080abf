package io.promfetcher.benchmarks;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Announces app instances on NATS as route-emitter does: one {@code router.register} per instance
 * (realistic shape, all tags), every instance again each interval. Apps are numbered; app
 * {@code a} is org {@code org-(a/100)}, space {@code space-(a/10)}, name {@code app-a}.
 */
final class RouteAnnouncer implements AutoCloseable {
    /** One instance to announce: its app number, index and endpoint. */
    record Instance(int app, int index, String host, int port) {}

    private final Connection nats;
    private final List<byte[]> messages = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "route-announcer");
        t.setDaemon(true);
        return t;
    });

    RouteAnnouncer(String natsUrls, List<Instance> instances) throws IOException, InterruptedException {
        nats = Nats.connect(new Options.Builder().server(natsUrls).maxReconnects(-1)
                // 50,000 registrations leave at once: room for them while a reconnection is under way.
                .reconnectBufferSize(256L << 20).connectionName("route-emitter").build());
        for (Instance i : instances) {
            String app = appGuid(i.app());
            String instance = guid('b', i.app() * 1000 + i.index());
            messages.add(("{\"host\":\"%s\",\"port\":%d,\"tls_port\":0,\"protocol\":\"http1\",\"uris\":[\"app-%d.apps.example.com\"],"
                    + "\"app\":\"%s\",\"private_instance_id\":\"%s\",\"private_instance_index\":\"%d\","
                    + "\"server_cert_domain_san\":\"%s\",\"availability_zone\":\"z%d\",\"stale_threshold_in_seconds\":120,"
                    + "\"tags\":{\"component\":\"route-emitter\",\"source_id\":\"%s\",\"app_id\":\"%s\",\"app_name\":\"app-%d\","
                    + "\"organization_id\":\"%s\",\"organization_name\":\"org-%d\",\"space_id\":\"%s\",\"space_name\":\"space-%d\","
                    + "\"process_id\":\"%s\",\"process_type\":\"web\",\"process_instance_id\":\"%s\",\"instance_id\":\"%d\"}}")
                    .formatted(i.host(), i.port(), i.app(), app, instance, i.index(),
                            instance, 1 + i.index() % 3, app, app, i.app(),
                            guid('0', i.app() / 100), i.app() / 100, guid('5', i.app() / 10), i.app() / 10,
                            app, instance, i.index())
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The GUID of app number {@code app}. */
    static String appGuid(int app) {
        return guid('a', app);
    }

    private static String guid(char kind, int n) {
        return "%c0000000-0000-4000-8000-%012d".formatted(kind, n);
    }

    /** Announces everything now and then every {@code interval}. */
    RouteAnnouncer every(Duration interval) {
        timer.scheduleAtFixedRate(this::announceAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Registrations sent per round. */
    int size() {
        return messages.size();
    }

    private void announceAll() {
        for (byte[] m : messages) {
            nats.publish("router.register", m);
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        nats.close();
    }
}
