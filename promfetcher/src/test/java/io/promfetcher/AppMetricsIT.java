package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.routes.Announcements;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.PrometheusServer;
import io.promfetcher.testkit.Promtool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway end to end: a real nats-server, instances (MockWebServer) announced on it as
 * route-emitter does, and every app endpoint form scraped over HTTP.
 */
class AppMetricsIT {
    static final String APP = "6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70";
    static final String OTHER_APP = "7a2d3b1f-8e0c-4d9f-8b2f-3c4d5e6f7081";
    static final String BODY = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} %d\n";

    static NatsServer nats;
    static Connection publisher;
    static InProcessGateway gateway;
    static String api;
    static final List<MockWebServer> instances = new ArrayList<>();
    static MockWebServer other;

    @BeforeAll
    static void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        gateway = InProcessGateway.start(nats.url(), Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "500ms"));
        api = gateway.api;

        for (int i = 0; i < 3; i++) {
            MockWebServer server = new MockWebServer();
            int index = i;
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return new MockResponse.Builder().addHeader("Content-Type", "text/plain; version=0.0.4")
                            .body(String.format(BODY, 100 + index)).build();
                }
            });
            server.start();
            instances.add(server);
        }
        other = new MockWebServer();
        other.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("other_metric 1\n").build();
            }
        });
        other.start();
        // Re-announced until routed, as route-emitter re-announces: the gateway subscribes
        // asynchronously, and a message published before that is gone.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (int i = 0; i < 3; i++) {
                announce(publisher, APP, "my-org", "dev", "my-app", "my-app.apps.example.com", i, instances.get(i).getPort());
            }
            announce(publisher, OTHER_APP, "my-org", "dev", "other-app", "other.apps.example.com", 0, other.getPort());
            return gateway.gateway.health().ready() && routed(instances.get(0).getPort(), instances.get(1).getPort(),
                    instances.get(2).getPort(), other.getPort());
        });
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        for (MockWebServer s : instances) {
            s.close();
        }
        other.close();
        publisher.close();
        nats.close();
    }

    /** Announces one plain-HTTP instance on 127.0.0.1 as route-emitter does. */
    static void announce(Connection nats, String guid, String org, String space, String app, String uri, int index, int port)
            throws Exception {
        String json = Announcements.appInstance(org, space, app, guid, Announcements.guid(guid + "/" + index),
                Integer.toString(index), "127.0.0.1", port, 0, uri);
        nats.publish("router.register", Announcements.bytes(json));
        nats.flush(Duration.ofSeconds(2));
    }

    /** Whether /routes lists an instance on each of these ports. */
    static boolean routed(int... ports) throws Exception {
        String routes = get("/routes").body();
        return java.util.Arrays.stream(ports).allMatch(p -> routes.contains("127.0.0.1:" + p + "\""));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return GatewayProcess.get(api + path, Map.of());
    }

    static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        return GatewayProcess.get(api + path, headers);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "/v1/apps/my-org/dev/my-app/metrics",
        "/v2/apps/my-org/dev/my-app/metrics",
        "/v1/apps/" + APP + "/metrics",
        "/v1/apps/my-app.apps.example.com/metrics",
        "/v1/apps/metrics?app=my-org/dev/my-app",
        "/v1/apps/metrics?app=%22my-org/dev/my-app%22",
        "/v1/apps/metrics?app=" + APP,
        "/v1/apps/metrics?route_url=my-app.apps.example.com",
        "/v1/apps/metrics?route_url=%22my-app.apps.example.com%22",
    })
    void everyFormMergesEveryInstanceWithItsLabels(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        String body = response.body();
        for (int i = 0; i < 3; i++) {
            assertThat(body).contains("http_requests_total{code=\"200\",organization_id=\"org-my-org\",organization_name=\"my-org\","
                    + "space_id=\"space-dev\",space_name=\"dev\",app_id=\"" + APP + "\",app_name=\"my-app\",index=\"" + i
                    + "\",instance_id=\"" + i + "\",instance=\"127.0.0.1:" + instances.get(i).getPort() + "\"} " + (100 + i));
            assertThat(body).contains("promfetcher_scrape_up{organization_id=\"org-my-org\"");
        }
        assertThat(body.indexOf("# TYPE http_requests_total counter")).isEqualTo(body.lastIndexOf("# TYPE http_requests_total counter"));
        assertThat(body).doesNotContain("other_metric");
        Promtool.Verdict verdict = Promtool.checkMetrics(body.getBytes(StandardCharsets.UTF_8));
        assertThat(verdict.parses()).as(verdict.output()).isTrue();
    }

    @Test
    void onlyAppMetricsLeavesOutTheScrapeStatus() throws Exception {
        for (String path : List.of("/v1/apps/my-org/dev/my-app/only-app-metrics", "/v1/apps/only-app-metrics?app=" + APP)) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("http_requests_total").doesNotContain("promfetcher_scrape");
        }
    }

    @Test
    void openMetricsIsServedWhenPreferred() throws Exception {
        HttpResponse<String> response = get("/v1/apps/my-org/dev/my-app/metrics",
                Map.of("Accept", "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5"));
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/openmetrics-text; version=1.0.0"));
        assertThat(response.body()).endsWith("# EOF\n").contains("http_requests_total{code=\"200\"");
    }

    @Test
    void unknownAppsAre404AndBadParametersAre400() throws Exception {
        assertThat(get("/v1/apps/my-org/dev/nope/metrics").statusCode()).isEqualTo(404);
        assertThat(get("/v1/apps/00000000-0000-0000-0000-000000000000/metrics").statusCode()).isEqualTo(404);
        assertThat(get("/v1/apps/metrics").statusCode()).isEqualTo(400);
        assertThat(get("/v1/apps/a/b/metrics").statusCode()).isEqualTo(400);
        assertThat(get("/v1/apps/whatever").statusCode()).isEqualTo(404);
    }

    @Test
    void authorizationReachesOnlyTheRequestedAppsInstances() throws Exception {
        drain();
        HttpResponse<String> response = get("/v1/apps/my-org/dev/my-app/metrics",
                Map.of("Authorization", "Bearer app-token", "Proxy-Authorization", "Basic xyz", "X-Custom", "no"));
        assertThat(response.statusCode()).isEqualTo(200);
        for (MockWebServer instance : instances) {
            RecordedRequest request = instance.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request).isNotNull();
            assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer app-token");
            assertThat(request.getHeaders().get("Proxy-Authorization")).isNull();
            assertThat(request.getHeaders().get("X-Custom")).isNull();
            assertThat(request.getHeaders().get("Host")).isEqualTo("my-app.apps.example.com");
            assertThat(request.getHeaders().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
            assertThat(request.getTarget()).isEqualTo("/metrics");
        }
        assertThat(other.takeRequest(300, TimeUnit.MILLISECONDS)).as("the other app is never asked").isNull();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "metric_path=http://evil.example.com/x", "metric_path=//evil.example.com/x", "metric_path=/../admin",
        "metric_path=/a/%2e%2e/admin", "metric_path=/a/%252e%252e/x", "metric_path=/a/%2E%2e/x", "metric_path=/x%0d%0aHost:%20evil",
        "metric_path=@evil.example.com", "metric_path=relative", "metric_path=/x%00",
        "route_url=http://evil.example.com", "route_url=user@evil.example.com", "route_url=evil.example.com:22",
    })
    void ssrfAttemptsAreRefusedAndReachNoServer(String query) throws Exception {
        drain();
        String path = query.startsWith("route_url") ? "/v1/apps/metrics?" + query : "/v1/apps/my-org/dev/my-app/metrics?" + query;
        assertThat(get(path).statusCode()).isEqualTo(400);
        assertThat(get("/v1/apps/my-org/dev/my-app/metrics?metric_path=/" + "x".repeat(5000)).statusCode()).isEqualTo(400);
        for (MockWebServer instance : instances) {
            assertThat(instance.takeRequest(100, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void aValidMetricPathIsUsed() throws Exception {
        drain();
        assertThat(get("/v1/apps/my-org/dev/my-app/metrics?metric_path=/actuator/prometheus").statusCode()).isEqualTo(200);
        assertThat(instances.get(0).takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/actuator/prometheus");
    }

    @Test
    void ownMetricsCountRequestsAndMerges() throws Exception {
        get("/v1/apps/my-org/dev/my-app/metrics");
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("promfetcher_http_requests_total{code=\"200\",endpoint=\"apps\"}")
                .contains("promfetcher_merge_instances_total{result=\"up\"}");
    }

    @Test
    void aRealPrometheusDiscoversTheAppAndIngestsEveryInstanceWithItsLabels() throws Exception {
        String config = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: cf-apps
                    honor_labels: true
                    http_sd_configs:
                      - url: %s/v1/sd
                        refresh_interval: 1s
                """.formatted(api);
        try (PrometheusServer prometheus = new PrometheusServer(config)) {
            prometheus.start();
            ObjectMapper json = new ObjectMapper();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode result = json.readTree(prometheus.query("http_requests_total{app_name=\"my-app\"}"))
                        .path("data").path("result");
                assertThat(result).hasSize(3);
            });
            JsonNode result = json.readTree(prometheus.query("http_requests_total{app_name=\"my-app\"}")).path("data").path("result");
            for (JsonNode series : result) {
                JsonNode labels = series.path("metric");
                int index = labels.path("index").asInt();
                assertThat(labels.path("job").asText()).isEqualTo("cf-apps");
                assertThat(labels.path("organization_name").asText()).isEqualTo("my-org");
                assertThat(labels.path("space_name").asText()).isEqualTo("dev");
                assertThat(labels.path("app_id").asText()).isEqualTo(APP);
                assertThat(labels.path("instance_id").asText()).isEqualTo(Integer.toString(index));
                // honor_labels keeps the gateway's instance (the app instance), not the gateway's address.
                assertThat(labels.path("instance").asText()).isEqualTo("127.0.0.1:" + instances.get(index).getPort());
                assertThat(labels.has("exported_instance")).isFalse();
                assertThat(series.path("value").get(1).asText()).isEqualTo(Integer.toString(100 + index));
            }
            JsonNode up = json.readTree(prometheus.query("promfetcher_scrape_up{app_name=\"my-app\"}")).path("data").path("result");
            assertThat(up).hasSize(3);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode otherApp = json.readTree(prometheus.query("other_metric")).path("data").path("result");
                assertThat(otherApp).hasSize(1);
                assertThat(otherApp.get(0).path("metric").path("app_name").asText()).isEqualTo("other-app");
            });
        }
    }

    /** Forgets requests recorded by earlier tests. */
    static void drain() throws InterruptedException {
        for (MockWebServer s : instances) {
            while (s.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
                // discard
            }
        }
        while (other.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
            // discard
        }
    }
}
