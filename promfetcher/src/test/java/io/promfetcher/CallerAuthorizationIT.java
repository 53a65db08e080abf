package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.cf.CloudFoundryStandIn;
import io.promfetcher.testkit.NatsServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code auth.mode: cf} end to end: a real nats-server, app instances on MockWebServer, the Cloud
 * Controller and UAA stand-in. For every refusal, what the instances received: nothing.
 */
class CallerAuthorizationIT {
    static final String APP = "6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70";
    static final String HIDDEN = "7a2d3b1f-8e0c-4d9f-8b2f-3c4d5e6f7081";
    static final String PATH = "/v1/apps/" + APP + "/metrics";

    static NatsServer nats;
    static Connection publisher;
    static CloudFoundryStandIn cf;
    static InProcessGateway gateway;
    static final List<MockWebServer> instances = new ArrayList<>();
    static MockWebServer hidden;

    @BeforeAll
    static void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        cf = new CloudFoundryStandIn();
        cf.apps.put(APP, new CloudFoundryStandIn.App(APP, "my-app", Map.of()));
        cf.apps.put(HIDDEN, new CloudFoundryStandIn.App(HIDDEN, "hidden-app", Map.of()));
        for (int i = 0; i < 2; i++) {
            instances.add(instance("app_metric " + i + "\n"));
        }
        hidden = instance("hidden_metric 1\n");
        Map<String, String> env = new HashMap<>();
        env.put("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "500ms");
        env.put("PROMFETCHER_CF_API_URL", cf.apiUrl());
        env.put("PROMFETCHER_CF_CLIENT_ID", CloudFoundryStandIn.CLIENT_ID);
        env.put("PROMFETCHER_CF_CLIENT_SECRET", CloudFoundryStandIn.CLIENT_SECRET);
        env.put("PROMFETCHER_CF_REQUEST_TIMEOUT", "1s");
        env.put("PROMFETCHER_CF_MAX_REQUESTS_PER_SECOND", "1000");
        env.put("PROMFETCHER_AUTH_MODE", "cf");
        env.put("PROMFETCHER_AUTH_CACHE_TTL", "1s");
        gateway = InProcessGateway.start(nats.url(), env);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (int i = 0; i < 2; i++) {
                AppMetricsIT.announce(publisher, APP, "my-org", "dev", "my-app", "my-app.apps.example.com", i, instances.get(i).getPort());
            }
            AppMetricsIT.announce(publisher, HIDDEN, "my-org", "dev", "hidden-app", "hidden.apps.example.com", 0, hidden.getPort());
            return gateway.gateway.health().ready()
                    && get("/v1/apps/" + HIDDEN + "/metrics", cf.userWhoSees(HIDDEN)).statusCode() == 200
                    && get(PATH, cf.userWhoSees(APP)).statusCode() == 200;
        });
    }

    static MockWebServer instance(String body) throws Exception {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().addHeader("Content-Type", "text/plain; version=0.0.4").body(body).build();
            }
        });
        server.start();
        return server;
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        for (MockWebServer s : instances) {
            s.close();
        }
        hidden.close();
        publisher.close();
        nats.close();
        cf.close();
    }

    @BeforeEach
    void drainAndReset() throws Exception {
        for (MockWebServer s : instances) {
            while (s.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
                // what earlier tests sent
            }
        }
        while (hidden.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // idem
        }
        cf.appMode = CloudFoundryStandIn.Mode.NORMAL;
        cf.appsListMode = CloudFoundryStandIn.Mode.NORMAL;
        cf.resetCounts();
    }

    @AfterEach
    void normal() {
        cf.appMode = CloudFoundryStandIn.Mode.NORMAL;
        cf.appsListMode = CloudFoundryStandIn.Mode.NORMAL;
    }

    static HttpResponse<String> get(String path, String token) throws Exception {
        return GatewayProcess.get(gateway.api + path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        return GatewayProcess.get(gateway.api + path, headers);
    }

    /** Every instance of the app got nothing. */
    static void instancesReceivedNothing() throws Exception {
        for (MockWebServer s : instances) {
            assertThat(s.takeRequest(200, TimeUnit.MILLISECONDS)).as("an instance was contacted").isNull();
        }
    }

    @Test
    void aTokenThatCanSeeTheAppGetsItsMergedMetrics() throws Exception {
        HttpResponse<String> response = get(PATH, cf.userWhoSees(APP));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("app_metric{").contains("app_id=\"" + APP + "\"");
        assertThat(cf.count("/v3/apps/{guid}")).isEqualTo(1);
    }

    @Test
    void noTokenGives401AndNoInstanceIsContacted() throws Exception {
        HttpResponse<String> response = get(PATH, (String) null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(cf.count("/v3/apps/{guid}")).as("nothing to ask the Cloud Controller").isZero();
        instancesReceivedNothing();
        assertThat(get(PATH, Map.of("Authorization", "Basic dXNlcjpwYXNz")).statusCode()).isEqualTo(401);
        instancesReceivedNothing();
    }

    @Test
    void aTokenTheCloudControllerRefusesGives401AndNoInstanceIsContacted() throws Exception {
        String forged = cf.token("mallory", List.of("cloud_controller.read"), Instant.now().plusSeconds(600)); // signed, but unknown to the CC
        HttpResponse<String> response = get(PATH, forged);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(cf.count("/v3/apps/{guid}")).as("one question, not a retry with the same token").isEqualTo(1);
        instancesReceivedNothing();
    }

    @Test
    void aValidTokenThatCannotSeeTheAppGives403AndNoInstanceIsContacted() throws Exception {
        HttpResponse<String> response = get(PATH, cf.userWhoSees(HIDDEN));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        instancesReceivedNothing();
    }

    @Test
    void decisionsAreKeptPerTokenAndAppForTheCacheTtl() throws Exception {
        String token = cf.userWhoSees(APP, HIDDEN);
        for (int i = 0; i < 5; i++) {
            assertThat(get(PATH, token).statusCode()).isEqualTo(200);
        }
        assertThat(cf.count("/v3/apps/{guid}")).as("one question for five scrapes").isEqualTo(1);
        assertThat(get("/v1/apps/" + HIDDEN + "/metrics", token).statusCode()).isEqualTo(200);
        assertThat(cf.count("/v3/apps/{guid}")).as("another app is another question").isEqualTo(2);
        assertThat(get(PATH, cf.userWhoSees(APP)).statusCode()).isEqualTo(200);
        assertThat(cf.count("/v3/apps/{guid}")).as("another token is another question").isEqualTo(3);
        Thread.sleep(1200); // auth.cache_ttl 1s
        assertThat(get(PATH, token).statusCode()).isEqualTo(200);
        assertThat(cf.count("/v3/apps/{guid}")).as("asked again after the TTL").isEqualTo(4);
    }

    @Test
    void aCachedDecisionEndsWithTheTokensExpiry() throws Exception {
        Instant expiry = Instant.now().plusSeconds(3);
        String token = cf.token("shortlived", List.of("cloud_controller.read"), expiry);
        cf.visibility.put(token, java.util.Set.of(APP));
        assertThat(get(PATH, token).statusCode()).isEqualTo(200);
        drainAndReset();
        await().atMost(Duration.ofSeconds(6)).until(() -> Instant.now().isAfter(expiry.plusMillis(100)));
        int asked = cf.count("/v3/apps/{guid}");
        HttpResponse<String> response = get(PATH, token);
        assertThat(response.statusCode()).as("an expired token is refused").isEqualTo(401);
        assertThat(cf.count("/v3/apps/{guid}")).as("without asking: it has expired").isEqualTo(asked);
        instancesReceivedNothing();
    }

    @Test
    void cloudControllerDownWithoutADecisionGives503AndNoInstanceIsContacted() throws Exception {
        cf.appMode = CloudFoundryStandIn.Mode.DOWN_503;
        HttpResponse<String> response = get(PATH, cf.userWhoSees(APP));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        instancesReceivedNothing();
        cf.appMode = CloudFoundryStandIn.Mode.RATE_LIMITED_429;
        assertThat(get(PATH, cf.userWhoSees(APP)).statusCode()).isEqualTo(503);
        cf.appMode = CloudFoundryStandIn.Mode.SERVER_ERROR_500;
        assertThat(get(PATH, cf.userWhoSees(APP)).statusCode()).isEqualTo(503);
        instancesReceivedNothing();
    }

    @Test
    void aSlowCloudControllerGives503AfterTheRequestTimeout() throws Exception {
        cf.slowness = Duration.ofSeconds(3);
        cf.appMode = CloudFoundryStandIn.Mode.SLOW;
        long start = System.nanoTime();
        HttpResponse<String> response = get(PATH, cf.userWhoSees(APP));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2900));
        instancesReceivedNothing();
    }

    @Test
    void cloudControllerDownWithAKeptDecisionStillAnswersWithIt() throws Exception {
        String allowed = cf.userWhoSees(APP);
        String refused = cf.userWhoSees(HIDDEN);
        assertThat(get(PATH, allowed).statusCode()).isEqualTo(200);
        assertThat(get(PATH, refused).statusCode()).isEqualTo(403);
        Thread.sleep(1200); // past auth.cache_ttl: the gateway asks again, and cannot
        cf.appMode = CloudFoundryStandIn.Mode.DOWN_503;
        assertThat(get(PATH, allowed).statusCode()).isEqualTo(200);
        assertThat(get(PATH, refused).statusCode()).isEqualTo(403);
        assertThat(cf.count("/v3/apps/{guid}")).as("it did ask").isGreaterThanOrEqualTo(4);
    }

    @Test
    void theCallersTokenNeverReachesAnInstanceButTheAppAuthorizationHeaderDoes() throws Exception {
        String token = cf.userWhoSees(APP);
        HttpResponse<String> plain = get(PATH, token);
        assertThat(plain.statusCode()).isEqualTo(200);
        for (MockWebServer s : instances) {
            RecordedRequest r = s.takeRequest(5, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.getHeaders().get("Authorization")).isNull();
        }
        HttpResponse<String> withApp = get(PATH, Map.of("Authorization", "Bearer " + token, "X-App-Authorization", "Basic YXBwOnNlY3JldA=="));
        assertThat(withApp.statusCode()).isEqualTo(200);
        for (MockWebServer s : instances) {
            RecordedRequest r = s.takeRequest(5, TimeUnit.SECONDS);
            assertThat(r.getHeaders().get("Authorization")).isEqualTo("Basic YXBwOnNlY3JldA==");
            assertThat(r.getHeaders().get("X-App-Authorization")).isNull();
            assertThat(r.getHeaders().toString()).doesNotContain(token);
        }
    }

    @Test
    void serviceDiscoveryListsOnlyTheAppsTheTokenCanSee() throws Exception {
        JsonNode sees = new ObjectMapper().readTree(get("/v1/sd", cf.userWhoSees(APP)).body());
        assertThat(sees).hasSize(1);
        assertThat(sees.get(0).get("labels").get("app_id").asText()).isEqualTo(APP);
        JsonNode both = new ObjectMapper().readTree(get("/v1/sd", cf.userWhoSees(APP, HIDDEN)).body());
        assertThat(both).hasSize(2);
        assertThat(get("/v1/sd", (String) null).statusCode()).isEqualTo(401);
        assertThat(get("/v1/sd", "not-a-token").statusCode()).isEqualTo(401);
        assertThat(cf.count("/v3/apps")).as("one paginated list per token: pages of two").isGreaterThanOrEqualTo(1);
    }

    @Test
    void anAppListedByServiceDiscoveryIsScrapedWithoutAnotherQuestion() throws Exception {
        String token = cf.userWhoSees(APP);
        assertThat(get("/v1/sd", token).statusCode()).isEqualTo(200);
        assertThat(get(PATH, token).statusCode()).isEqualTo(200);
        assertThat(cf.count("/v3/apps/{guid}")).isZero();
    }

    @Test
    void routesNeedATokenWithAnAdminReadScope() throws Exception {
        String admin = cf.token("admin", List.of("cloud_controller.admin_read_only"), Instant.now().plusSeconds(600));
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/routes", admin).statusCode() == 200);
        assertThat(get("/routes", admin).body()).contains(APP);
        HttpResponse<String> user = get("/routes", cf.userWhoSees(APP, HIDDEN));
        assertThat(user.statusCode()).isEqualTo(401);
        assertThat(user.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(get("/routes", (String) null).statusCode()).isEqualTo(401);
        String expired = cf.token("admin", List.of("cloud_controller.admin"), Instant.now().minusSeconds(5));
        assertThat(get("/routes", expired).statusCode()).isEqualTo(401);
        String tampered = admin.substring(0, admin.lastIndexOf('.') + 1) + "AAAA" + admin.substring(admin.lastIndexOf('.') + 5);
        assertThat(get("/routes", tampered).statusCode()).isEqualTo(401);
    }

    @Test
    void aHundredConcurrentCallersWithOneTokenCostOneQuestionPerTtl() throws Exception {
        String token = cf.userWhoSees(APP);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(100);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                        return get(PATH, token).statusCode();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            go.countDown();
            for (CompletableFuture<Integer> c : calls) {
                assertThat(c.get(30, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        // auth.cache_ttl is 1s here: one question per second the burst lasted, not one per caller
        // (TokenAuthorizationIT shows exactly one for a burst within the TTL)
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(cf.count("/v3/apps/{guid}")).isBetween(1, (int) seconds + 1);
    }
}
