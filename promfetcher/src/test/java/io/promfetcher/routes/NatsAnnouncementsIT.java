package io.promfetcher.routes;

import static io.promfetcher.routes.Announcements.appInstance;
import static io.promfetcher.routes.Announcements.bytes;
import static io.promfetcher.routes.Announcements.guid;
import static io.promfetcher.routes.Announcements.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.promfetcher.testkit.NatsServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The route service against a real nats-server on a free port, fed by a real publisher. */
class NatsAnnouncementsIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private NatsServer server;
    private Connection publisher;
    private NatsAnnouncements service;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PlannedOutage outage = new PlannedOutage();

    private static final RoutesSettings FAST = RoutesSettings.defaults()
            .withRegisterInterval(Duration.ofMillis(500))
            .withPruneInterval(Duration.ofMillis(100));

    @BeforeEach
    void startServer() throws Exception {
        // Raise max_payload so the > 1 MiB case reaches the gateway instead of being refused by NATS.
        Path config = dir.resolve("nats.conf");
        Files.writeString(config, "max_payload: 2MB\n");
        server = new NatsServer().withArgs("-c", config.toString());
        server.start();
        publisher = Nats.connect(new Options.Builder().server(server.url()).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(100)).errorListener(outage).build());
    }

    @AfterEach
    void stopAll() throws Exception {
        if (service != null) {
            service.close();
        }
        publisher.close();
        server.close();
    }

    private NatsAnnouncements start(RoutesSettings settings) {
        service = NatsSource.create(settings, nats(), registry);
        service.start();
        await().atMost(PATIENCE).until(() -> service.connected());
        return service;
    }

    private NatsSettings nats() {
        return NatsSettings.defaults().withServers(List.of(server.url()))
                .withTimings(Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    private void publish(String subject, String json) {
        publisher.publish(subject, bytes(json));
    }

    private double metric(String name, String... labels) {
        return Metrics.value(registry, name, labels);
    }

    private Lookup lookup(String app) {
        return service.table().byNames("o", "s", app);
    }

    @Test
    void registerRefreshAndUnregisterAreApplied() {
        start(FAST);
        publish("router.register", instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        await().atMost(PATIENCE).until(() -> lookup("app") instanceof Lookup.Found);

        publish("router.register", instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        publish("router.register", instance("app", 1, "10.0.0.2", 8080, "app.example.com"));
        await().atMost(PATIENCE).until(() -> lookup("app").apps().get(0).instances().size() == 2);
        assertThat(metric("promfetcher_routes_registrations")).isEqualTo(3);

        publish("router.unregister", instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        await().atMost(PATIENCE).until(() -> lookup("app").apps().get(0).instances().size() == 1);
        assertThat(lookup("app").apps().get(0).instances().get(0).index()).isEqualTo("1");
        assertThat(metric("promfetcher_routes_unregistrations")).isEqualTo(1);
        assertThat(metric("promfetcher_routes_instances")).isEqualTo(1);
        assertThat(metric("promfetcher_routes_apps")).isEqualTo(1);
        assertThat(metric("promfetcher_nats_connected")).isEqualTo(1);
    }

    @Test
    void oneInstanceUnderThreeUrisIsCountedOnce() {
        start(FAST);
        for (String uri : List.of("a.example.com", "b.example.com", "c.example.com")) {
            publish("router.register", instance("app", 0, "10.0.0.1", 8080, uri));
        }
        await().atMost(PATIENCE).until(() -> service.table().routeCount() == 3);
        assertThat(metric("promfetcher_routes_instances")).isEqualTo(1);
        assertThat(metric("promfetcher_routes_routes")).isEqualTo(3);
        assertThat(((Lookup.Found) service.table().byRoute("c.example.com")).app().instances()).hasSize(1);
    }

    @Test
    void anInstanceThatStopsBeingAnnouncedIsPruned() {
        start(FAST);
        String shortLived = instance("gone", 0, "10.0.0.1", 8080, "gone.example.com")
                .replace("{\"host\"", "{\"stale_threshold_in_seconds\":1,\"host\"");
        publish("router.register", shortLived);
        publish("router.register", instance("stays", 0, "10.0.0.2", 8080, "stays.example.com"));
        await().atMost(PATIENCE).until(() -> lookup("gone") instanceof Lookup.Found);
        await().atMost(PATIENCE).until(() -> lookup("gone") instanceof Lookup.Unknown);
        assertThat(lookup("stays")).isInstanceOf(Lookup.Found.class);
        assertThat(metric("promfetcher_routes_pruned_instances")).isEqualTo(1);
    }

    @Test
    void theTableSurvivesANatsOutageAndFollowsAnnouncementsAfterIt() throws Exception {
        RoutesSettings settings = FAST.withRegisterInterval(Duration.ofSeconds(2));
        start(settings);
        String threshold = "{\"stale_threshold_in_seconds\":1,\"host\"";
        for (int i = 0; i < 3; i++) {
            publish("router.register", instance("app" + i, 0, "10.0.0." + (i + 1), 8080, "app" + i + ".example.com")
                    .replace("{\"host\"", threshold));
        }
        await().atMost(PATIENCE).until(() -> service.table().instanceCount() == 3);

        outage.begin();
        server.kill();
        await().atMost(PATIENCE).until(() -> !service.connected());
        assertThat(service.health().detail()).contains("pruning suspended");
        // Well past the 1 s threshold with sweeps every 100 ms: nothing may go while NATS is away.
        Thread.sleep(2_500);
        assertThat(service.table().instanceCount()).isEqualTo(3);
        assertThat(metric("promfetcher_routes_pruned_instances")).isZero();
        assertThat(metric("promfetcher_nats_connected")).isZero();

        server.start();
        await().atMost(PATIENCE).until(() -> service.connected());
        await().atMost(PATIENCE).until(() -> publisher.getStatus() == Connection.Status.CONNECTED);
        outage.end();
        assertThat(outage.expectedExceptions()).as("the publisher saw the outage").isPositive();
        assertThat(metric("promfetcher_nats_reconnects")).isEqualTo(1);
        publish("router.register", instance("app0", 0, "10.0.0.1", 8080, "app0.example.com")); // 120 s threshold now
        publish("router.register", instance("newcomer", 0, "10.0.0.9", 8080, "new.example.com"));
        await().atMost(PATIENCE).until(() -> lookup("newcomer") instanceof Lookup.Found);

        // After the grace period, what was not re-announced goes; what was, stays.
        await().atMost(PATIENCE).until(() -> service.table().instanceCount() == 2);
        assertThat(lookup("app0")).isInstanceOf(Lookup.Found.class);
        assertThat(lookup("app1")).isInstanceOf(Lookup.Unknown.class);
        assertThat(metric("promfetcher_routes_pruned_instances")).isEqualTo(2);
    }

    @Test
    void eachMalformedMessageIsCountedByReasonAndTheSubscriptionGoesOn() {
        start(FAST);
        List<List<String>> cases = List.of(
                List.of("not_json", "this is not json"),
                List.of("wrong_type", "{\"host\":\"h\",\"port\":\"8080\"}"),
                List.of("missing_host", "{\"port\":8080,\"uris\":[\"x.example.com\"]}"),
                List.of("missing_port", "{\"host\":\"10.0.0.1\",\"uris\":[\"x.example.com\"]}"),
                List.of("port_out_of_range", "{\"host\":\"10.0.0.1\",\"port\":70000}"),
                List.of("too_large", "{\"host\":\"10.0.0.1\",\"port\":8080,\"pad\":\"" + "x".repeat(1_100_000) + "\"}"));
        publish("router.register", instance("before", 0, "10.0.0.1", 8080, "before.example.com"));
        for (List<String> c : cases) {
            publish("router.register", c.get(1));
        }
        publish("router.unregister", "{\"host\":\"h\",\"port\":[]}");
        publish("router.register", instance("after", 0, "10.0.0.2", 8080, "after.example.com"));
        await().atMost(PATIENCE).until(() -> lookup("after") instanceof Lookup.Found);

        assertThat(lookup("before")).isInstanceOf(Lookup.Found.class);
        assertThat(service.table().instanceCount()).isEqualTo(2);
        for (List<String> c : cases) {
            double expected = c.get(0).equals("wrong_type") ? 2 : 1; // one more from the unregister
            assertThat(metric("promfetcher_routes_malformed_messages", "reason", c.get(0))).as(c.get(0)).isEqualTo(expected);
        }
        assertThat(metric("promfetcher_routes_registrations")).isEqualTo(2);
    }

    @Test
    void aThousandAppsOfTenInstancesAnnouncedAtOnceAreAllQueryable() throws Exception {
        start(FAST);
        for (int app = 0; app < 1000; app++) {
            for (int i = 0; i < 10; i++) {
                publish("router.register", appInstance("org" + app % 7, "space" + app % 13, "app" + app,
                        guid("app" + app), guid("app" + app + "/" + i), Integer.toString(i),
                        "10.1." + app % 250 + "." + (app / 250), 61000 + i, 0, "app" + app + ".apps.example.com"));
            }
        }
        publisher.flush(PATIENCE);
        await().atMost(PATIENCE).until(() -> service.table().instanceCount() == 10_000);
        for (int app = 0; app < 1000; app++) {
            Lookup byNames = service.table().byNames("org" + app % 7, "space" + app % 13, "app" + app);
            assertThat(byNames).as("app" + app).isInstanceOf(Lookup.Found.class);
            AppView view = ((Lookup.Found) byNames).app();
            assertThat(view.instances()).extracting(Instance::index)
                    .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            for (Lookup other : List.of(service.table().byAppGuid(guid("app" + app)),
                    service.table().byRoute("app" + app + ".apps.example.com"))) {
                assertThat(other.apps()).singleElement().satisfies(a -> {
                    assertThat(a.identity()).isEqualTo(view.identity());
                    assertThat(a.instances()).extracting(Instance::instanceId)
                            .isEqualTo(view.instances().stream().map(Instance::instanceId).toList());
                });
            }
        }
        assertThat(metric("promfetcher_routes_apps")).isEqualTo(1000);
        assertThat(metric("promfetcher_routes_routes")).isEqualTo(1000);
    }

    @Test
    void unknownAppsAreWarmingUpForOneRegisterIntervalThenUnknown() {
        start(FAST.withRegisterInterval(Duration.ofSeconds(3))); // long enough that a slow machine still sees it
        assertThat(lookup("nope")).isInstanceOf(Lookup.WarmingUp.class);
        assertThat(service.warmingUp()).isTrue();
        assertThat(service.health().ready()).isFalse();
        assertThat(metric("promfetcher_routes_warming_up")).isEqualTo(1);
        await().atMost(PATIENCE).until(() -> lookup("nope") instanceof Lookup.Unknown);
        assertThat(service.health().ready()).isTrue();
        assertThat(metric("promfetcher_routes_warming_up")).isZero();
    }

    @Test
    void routerStartIsCountedAndOurOwnIsPublishedOnlyWhenConfigured() throws Exception {
        Subscription starts = publisher.subscribe("router.start");
        publisher.flush(PATIENCE);
        start(FAST.withPublishRouterStart(true).withRegisterInterval(Duration.ofSeconds(20)));
        var message = starts.nextMessage(PATIENCE);
        assertThat(message).isNotNull();
        assertThat(new String(message.getData(), StandardCharsets.UTF_8))
                .contains("\"minimumRegisterIntervalInSeconds\":20").contains("\"pruneThresholdInSeconds\":120");

        publish("router.start", "{\"id\":\"gorouter-1\",\"hosts\":[\"10.0.0.5\"],\"minimumRegisterIntervalInSeconds\":20}");
        await().atMost(PATIENCE).until(() -> metric("promfetcher_routes_router_starts") == 1);
    }

    @Test
    void noRouterStartIsPublishedByDefault() throws Exception {
        Subscription starts = publisher.subscribe("router.start");
        publisher.flush(PATIENCE);
        start(FAST);
        publish("router.register", instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        await().atMost(PATIENCE).until(() -> lookup("app") instanceof Lookup.Found);
        assertThat(starts.nextMessage(Duration.ofMillis(300))).isNull();
    }

    @Test
    void closeDisconnectsAndStopsFollowingAnnouncements() {
        start(FAST);
        service.close();
        assertThat(service.connected()).isFalse();
        publish("router.register", instance("late", 0, "10.0.0.1", 8080, "late.example.com"));
        assertThat(lookup("late")).isNotInstanceOf(Lookup.Found.class);
    }

    @Test
    void startingWhileNatsIsDownConnectsOnceItIsUp() {
        outage.begin();
        server.kill();
        service = NatsSource.create(FAST, nats(), registry);
        service.start();
        assertThat(service.connected()).isFalse();
        assertThat(service.warmingUp()).isTrue();
        server.start();
        await().atMost(PATIENCE).until(() -> service.connected());
        await().atMost(PATIENCE).until(() -> publisher.getStatus() == Connection.Status.CONNECTED);
        outage.end();
    }
}
