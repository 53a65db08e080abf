package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.broker.OsbClient;
import io.promfetcher.broker.OsbClient.Answer;
import io.promfetcher.routes.Announcements;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.PostgresServer;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateways sharing one real PostgreSQL, as the BOSH release runs them, each following the
 * same NATS: what is bound through one is scraped by both, and both stay right through a restart
 * of either and an outage of the database. Every app's instances answer 404 on /metrics and name
 * the path they were asked for ({@code served_path{path="…"}}), so each scrape shows which path
 * the gateway chose.
 */
class SharedBrokerDatabaseIT {
    /** Short, so the tests wait little; the assertions are stated in multiples of it. */
    static final Duration REFRESH = Duration.ofSeconds(1);
    static final Pattern SERVED = Pattern.compile("served_path\\{path=\"([^\"]*)\"");
    static final ObjectMapper JSON = new ObjectMapper();

    static PostgresServer postgres;
    static String databaseUrl;
    static NatsServer nats;
    static Connection publisher;
    static InProcessGateway a;
    static InProcessGateway b;
    static OsbClient osbA;
    static OsbClient osbB;
    static String instance;
    static final List<MockWebServer> servers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        postgres = new PostgresServer().startReady();
        databaseUrl = postgres.createDatabase("shared");
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        a = gateway();
        b = gateway();
        osbA = new OsbClient(a.api);
        osbB = new OsbClient(b.api);
        instance = UUID.randomUUID().toString();
        assertThat(osbA.provision(instance).status()).isEqualTo(201);
    }

    static InProcessGateway gateway() throws Exception {
        Map<String, String> env = new HashMap<>(OsbClient.brokerSettings(databaseUrl, PostgresServer.USER, PostgresServer.PASSWORD));
        env.put("PROMFETCHER_BROKER_REFRESH_INTERVAL", "1s");
        env.put("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "500ms");
        return InProcessGateway.start(nats.url(), env);
    }

    @AfterAll
    static void stop() throws Exception {
        for (InProcessGateway g : new InProcessGateway[] {a, b}) {
            if (g != null) {
                g.close();
            }
        }
        for (MockWebServer s : servers) {
            s.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (nats != null) {
            nats.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    // ---- an app with two instances, routed on both gateways -----------------------------------

    /** Each app's route announcements, as route-emitter keeps sending them. */
    static final Map<String, List<byte[]>> announcements = new HashMap<>();

    /** A new app of two instances, announced and routed on every given gateway; returns its GUID. */
    static String app(InProcessGateway... gateways) throws Exception {
        String guid = UUID.randomUUID().toString();
        String name = "app-" + guid.substring(0, 8);
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            MockWebServer server = new MockWebServer();
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    String target = request.getTarget();
                    if (target.equals("/metrics")) {
                        return new MockResponse.Builder().code(404).body("not here\n").build();
                    }
                    return new MockResponse.Builder().addHeader("Content-Type", "text/plain; version=0.0.4")
                            .body("# TYPE served_path gauge\nserved_path{path=\"" + target + "\"} 1\n").build();
                }
            });
            server.start();
            servers.add(server);
            messages.add(Announcements.bytes(Announcements.appInstance("org", "space", name, guid,
                    Announcements.guid(guid + "/" + i), Integer.toString(i), "127.0.0.1", server.getPort(), 0,
                    name + ".apps.example.com")));
        }
        announcements.put(guid, messages);
        routeOn(guid, gateways);
        return guid;
    }

    /** Announces the app until every given gateway has it in its route table. */
    static void routeOn(String app, InProcessGateway... gateways) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (byte[] message : announcements.get(app)) {
                publisher.publish("router.register", message);
            }
            publisher.flush(Duration.ofSeconds(2));
            for (InProcessGateway g : gateways) {
                int status = scrape(g, app, "").statusCode();
                if (status == 404 || status == 503) {
                    return false;
                }
            }
            return true;
        });
    }

    static HttpResponse<String> scrape(InProcessGateway gateway, String app, String query) throws Exception {
        return GatewayProcess.get(gateway.api + "/v1/apps/" + app + "/only-app-metrics" + query, Map.of());
    }

    /** The path the gateway scraped the app's instances at, or "" when no instance answered. */
    static String scrapedPath(InProcessGateway gateway, String app) throws Exception {
        HttpResponse<String> response = scrape(gateway, app, "");
        if (response.statusCode() != 200) {
            return "";
        }
        Matcher m = SERVED.matcher(response.body());
        return m.find() ? m.group(1) : "";
    }

    static boolean listed(InProcessGateway gateway, String app) throws Exception {
        JsonNode sd = JSON.readTree(GatewayProcess.get(gateway.api + "/v1/sd", Map.of()).body());
        for (JsonNode target : sd) {
            if (target.path("labels").path("app_id").asText().equals(app)) {
                return true;
            }
        }
        return false;
    }

    static long storedBindings(String app) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection(databaseUrl, PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM broker_service_binding WHERE app_guid = ?")) {
            s.setString(1, app);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    // ---- the tests -------------------------------------------------------------------------

    @Test
    void aBindOnOneGatewayIsUsedByTheOtherWithinTheRefreshInterval() throws Exception {
        String app = app(a, b);
        assertThat(scrape(b, app, "").statusCode()).as("unbound: /metrics answers 404 on every instance").isEqualTo(502);

        Answer bind = osbA.bind(instance, UUID.randomUUID().toString(), app, "{\"endpoint\":\"/actuator/prometheus\"}");
        long bound = System.nanoTime();
        assertThat(bind.status()).isEqualTo(201);

        assertThat(scrapedPath(a, app)).as("the gateway that took the bind uses it at once").isEqualTo("/actuator/prometheus");
        await().atMost(REFRESH.multipliedBy(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> scrapedPath(b, app).equals("/actuator/prometheus"));
        Duration seen = Duration.ofNanos(System.nanoTime() - bound);
        assertThat(seen).as("seen by the other gateway after %s", seen).isLessThan(REFRESH.plusMillis(500));
    }

    @Test
    void scrapeFalseTakesTheAppOutOfServiceDiscoveryOnEveryGateway() throws Exception {
        String app = app(a, b);
        assertThat(listed(b, app)).isTrue();

        assertThat(osbB.bind(instance, UUID.randomUUID().toString(), app, "{\"scrape\":false}").status()).isEqualTo(201);

        assertThat(listed(b, app)).isFalse();
        await().atMost(REFRESH.multipliedBy(3)).until(() -> !listed(a, app));
    }

    @Test
    void theRequestsOwnMetricPathStillWinsOverTheBinding() throws Exception {
        String app = app(a);
        osbA.bind(instance, UUID.randomUUID().toString(), app, "{\"endpoint\":\"/bound\"}");

        HttpResponse<String> response = scrape(a, app, "?metric_path=/asked");

        assertThat(response.body()).contains("served_path{path=\"/asked\"");
    }

    @Test
    void aSecondBindingReplacesTheFirstsSettingsAndUnbindingItBringsThemBack() throws Exception {
        String app = app(a, b);
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        osbA.bind(instance, first, app, "{\"endpoint\":\"/first\"}");
        osbB.bind(instance, second, app, "{\"endpoint\":\"/second\"}");
        assertThat(scrapedPath(b, app)).isEqualTo("/second");
        await().atMost(REFRESH.multipliedBy(3)).until(() -> scrapedPath(a, app).equals("/second"));

        assertThat(osbA.unbind(instance, second).status()).isEqualTo(200);

        assertThat(scrapedPath(a, app)).isEqualTo("/first");
        await().atMost(REFRESH.multipliedBy(3)).until(() -> scrapedPath(b, app).equals("/first"));
    }

    @Test
    void aRestartedGatewayKeepsEveryBinding() throws Exception {
        InProcessGateway c = gateway();
        String app = app(c);
        String binding = UUID.randomUUID().toString();
        assertThat(new OsbClient(c.api).bind(instance, binding, app, "{\"endpoint\":\"/kept\"}").status()).isEqualTo(201);
        c.close();

        InProcessGateway restarted = gateway();
        try {
            // The route table starts empty (routes come back with the next announcements); the bindings do not.
            routeOn(app, restarted);
            await().atMost(Duration.ofSeconds(30)).until(() -> restarted.gateway.health().ready());
            assertThat(scrapedPath(restarted, app)).isEqualTo("/kept");
            assertThat(new OsbClient(restarted.api).fetchBinding(instance, binding).json().path("parameters").path("endpoint").asText())
                    .isEqualTo("/kept");
        } finally {
            restarted.close();
        }
    }

    @Test
    void postgresStoppedAndRestartedMidRunLeavesScrapesAloneAndBrokerCallsAnswer503UntilItIsBack() throws Exception {
        String app = app(a, b);
        String binding = UUID.randomUUID().toString();
        osbA.bind(instance, binding, app, "{\"endpoint\":\"/during-outage\"}");
        await().atMost(REFRESH.multipliedBy(3)).until(() -> scrapedPath(b, app).equals("/during-outage"));

        postgres.crash();
        try {
            // Both gateways notice at their next refresh, and keep scraping with what they loaded.
            await().atMost(REFRESH.multipliedBy(5)).until(() -> health(a).contains("database unavailable")
                    && health(b).contains("database unavailable"));
            assertThat(scrapedPath(a, app)).isEqualTo("/during-outage");
            assertThat(scrapedPath(b, app)).isEqualTo("/during-outage");
            HttpResponse<String> ready = GatewayProcess.get(b.api + "/ready", Map.of());
            assertThat(ready.statusCode()).as("scrapes are right: the gateway stays in rotation").isEqualTo(200);
            assertThat(GatewayProcess.get(a.api + "/metrics", Map.of()).body()).contains("promfetcher_broker_database_up 0.0");

            Answer refused = osbB.bind(instance, UUID.randomUUID().toString(), app, "{\"endpoint\":\"/lost\"}");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.json().path("error").asText()).isEqualTo("DatabaseUnavailable");
            assertThat(refused.json().path("description").asText()).contains("database is unavailable");
            assertThat(refused.response().headers().firstValue("Retry-After")).isPresent();
            assertThat(osbA.unbind(instance, binding).status()).isEqualTo(503);
        } finally {
            postgres.startReady();
        }

        // Back: calls succeed again, and nothing was lost, duplicated or half-written.
        await().atMost(Duration.ofSeconds(20)).until(() -> osbB.fetchBinding(instance, binding).status() == 200);
        assertThat(storedBindings(app)).isEqualTo(1);
        String later = UUID.randomUUID().toString();
        assertThat(osbB.bind(instance, later, app, "{\"endpoint\":\"/after-outage\"}").status()).isEqualTo(201);
        assertThat(storedBindings(app)).isEqualTo(2);
        await().atMost(REFRESH.multipliedBy(3)).until(() -> scrapedPath(a, app).equals("/after-outage")
                && !health(a).contains("unavailable"));
    }

    static String health(InProcessGateway gateway) throws Exception {
        return GatewayProcess.get(gateway.api + "/health", Map.of()).body();
    }

    @Test
    void fiftyConcurrentBindsOfOneAppThroughBothGatewaysEndInOneConsistentState() throws Exception {
        String app = app(a, b);
        ExecutorService clients = Executors.newFixedThreadPool(50);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                OsbClient osb = i % 2 == 0 ? osbA : osbB;
                int n = i;
                answers.add(clients.submit(() -> osb.bind(instance, "concurrent-" + app + "-" + n, app,
                        "{\"endpoint\":\"/p" + n + "\"}").status()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(201);
            }
            assertThat(storedBindings(app)).isEqualTo(50);
            String newest = newestEndpoint(app);
            await().atMost(REFRESH.multipliedBy(3)).until(() -> scrapedPath(a, app).equals(newest) && scrapedPath(b, app).equals(newest));

            // The same binding id from 50 clients at once: one is created, the rest see it (200) or,
            // asking for something else, conflict with it (409). One row, whatever the order.
            String same = "same-" + app;
            List<Future<Answer>> repeats = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                OsbClient osb = i % 2 == 0 ? osbA : osbB;
                String parameters = i % 5 == 0 ? "{\"endpoint\":\"/other\"}" : "{\"endpoint\":\"/same\"}";
                repeats.add(clients.submit((Callable<Answer>) () -> osb.bind(instance, same, app, parameters)));
            }
            int created = 0;
            String winner = null;
            List<Integer> statuses = new ArrayList<>();
            for (Future<Answer> f : repeats) {
                Answer answer = f.get();
                statuses.add(answer.status());
                if (answer.status() == 201) {
                    created++;
                    winner = answer.json().path("credentials").path("endpoint").asText();
                }
            }
            assertThat(created).as(statuses.toString()).isEqualTo(1);
            assertThat(statuses).containsOnly(201, 200, 409);
            String won = winner;
            assertThat(osbA.fetchBinding(instance, same).json().path("parameters").path("endpoint").asText()).isEqualTo(won);
            assertThat(storedBindings(app)).isEqualTo(51);
            await().atMost(REFRESH.multipliedBy(3)).until(() -> scrapedPath(a, app).equals(won) && scrapedPath(b, app).equals(won));
        } finally {
            clients.shutdownNow();
        }
    }

    /** The endpoint of the app's binding made last, by the database's own order. */
    static String newestEndpoint(String app) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection(databaseUrl, PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement s = c.prepareStatement(
                     "SELECT endpoint FROM broker_service_binding WHERE app_guid = ? ORDER BY change_version DESC LIMIT 1")) {
            s.setString(1, app);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }
}
