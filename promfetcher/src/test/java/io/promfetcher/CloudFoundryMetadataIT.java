package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.cf.CloudFoundryStandIn;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.Promtool;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
import org.junit.jupiter.api.Test;

/**
 * What the Cloud Controller knows about apps, end to end ({@code auth.mode: none}): annotations
 * (metric path, opt-out, refresh, removal, unavailable) and container metrics from the process
 * stats (values, labels, an app without an endpoint, stats unavailable, the rate bound).
 */
class CloudFoundryMetadataIT {
    static final String APP = "6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70";
    static final String BARE = "7a2d3b1f-8e0c-4d9f-8b2f-3c4d5e6f7081"; // no metrics endpoint of its own
    static final String WEB = "c0ffee00-0000-4000-8000-000000000001";
    static final String BARE_WEB = "c0ffee00-0000-4000-8000-000000000002";

    static NatsServer nats;
    static Connection publisher;
    static CloudFoundryStandIn cf;
    static InProcessGateway gateway;
    static final List<MockWebServer> instances = new ArrayList<>();
    static MockWebServer bare;

    @BeforeAll
    static void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        cf = new CloudFoundryStandIn();
        cf.apps.put(APP, new CloudFoundryStandIn.App(APP, "my-app", Map.of()));
        cf.apps.put(BARE, new CloudFoundryStandIn.App(BARE, "bare-app", Map.of()));
        for (int i = 0; i < 2; i++) {
            int index = i;
            MockWebServer server = new MockWebServer();
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    String body = request.getTarget().startsWith("/custom") ? "custom_metric " + index + "\n" : "default_metric " + index + "\n";
                    return new MockResponse.Builder().addHeader("Content-Type", "text/plain; version=0.0.4").body(body).build();
                }
            });
            server.start();
            instances.add(server);
        }
        bare = new MockWebServer();
        bare.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(404).body("404 page not found\n").build();
            }
        });
        bare.start();
        cf.webProcesses.put(APP, List.of(WEB));
        cf.webProcesses.put(BARE, List.of(BARE_WEB));
        cf.stats.put(WEB, List.of(
                new CloudFoundryStandIn.Stats(0, "RUNNING", "127.0.0.1", instances.get(0).getPort(), 0.25, 100_000_000, 268_435_456,
                        50_000_000, 1_073_741_824, 3600),
                new CloudFoundryStandIn.Stats(1, "RUNNING", "127.0.0.1", instances.get(1).getPort(), 0.5, 120_000_000, 268_435_456,
                        60_000_000, 1_073_741_824, 7200),
                new CloudFoundryStandIn.Stats(2, "CRASHED", "10.0.0.9", 61000, 0, 0, 268_435_456, 0, 1_073_741_824, 0)));
        cf.stats.put(BARE_WEB, List.of(new CloudFoundryStandIn.Stats(0, "RUNNING", "127.0.0.1", bare.getPort(), 0.125,
                64_000_000, 134_217_728, 10_000_000, 536_870_912, 42)));
        Map<String, String> env = new HashMap<>();
        env.put("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "500ms");
        env.put("PROMFETCHER_CF_API_URL", cf.apiUrl());
        env.put("PROMFETCHER_CF_CLIENT_ID", CloudFoundryStandIn.CLIENT_ID);
        env.put("PROMFETCHER_CF_CLIENT_SECRET", CloudFoundryStandIn.CLIENT_SECRET);
        env.put("PROMFETCHER_CF_METADATA_REFRESH", "1s");
        env.put("PROMFETCHER_CF_STATS_TTL", "1s");
        env.put("PROMFETCHER_CF_MAX_REQUESTS_PER_SECOND", "1000");
        gateway = InProcessGateway.start(nats.url(), env);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (int i = 0; i < 2; i++) {
                AppMetricsIT.announce(publisher, APP, "my-org", "dev", "my-app", "my-app.apps.example.com", i, instances.get(i).getPort());
            }
            AppMetricsIT.announce(publisher, BARE, "my-org", "dev", "bare-app", "bare.apps.example.com", 0, bare.getPort());
            return gateway.gateway.health().ready() && metadataUp()
                    && get("/v1/apps/" + APP + "/metrics").body().contains("cf_container_cpu_ratio")
                    && get("/v1/apps/" + BARE + "/metrics").statusCode() == 200;
        });
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        for (MockWebServer s : instances) {
            s.close();
        }
        bare.close();
        publisher.close();
        nats.close();
        cf.close();
    }

    @AfterEach
    void normal() {
        cf.statsMode = CloudFoundryStandIn.Mode.NORMAL;
        cf.appsListMode = CloudFoundryStandIn.Mode.NORMAL;
        cf.processesMode = CloudFoundryStandIn.Mode.NORMAL;
        cf.apps.put(APP, new CloudFoundryStandIn.App(APP, "my-app", Map.of()));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return GatewayProcess.get(gateway.api + path, Map.of());
    }

    static boolean metadataUp() throws Exception {
        return get("/metrics").body().lines().anyMatch(l -> l.startsWith("promfetcher_cf_metadata_up 1"));
    }

    static void annotate(Map<String, String> annotations) {
        cf.apps.put(APP, new CloudFoundryStandIn.App(APP, "my-app", annotations));
    }

    static String labels(int index) {
        return "organization_id=\"org-my-org\",organization_name=\"my-org\",space_id=\"space-dev\",space_name=\"dev\",app_id=\""
                + APP + "\",app_name=\"my-app\",index=\"" + index + "\",instance_id=\"" + index + "\",instance=\"127.0.0.1:"
                + instances.get(index).getPort() + "\"";
    }

    @Test
    void containerMetricsCarryTheInstancesLabelsAndValues() throws Exception {
        HttpResponse<String> response = get("/v1/apps/" + APP + "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        String body = response.body();
        assertThat(body).contains("cf_container_cpu_ratio{" + labels(0) + "} 0.25")
                .contains("cf_container_cpu_ratio{" + labels(1) + "} 0.5")
                .contains("cf_container_memory_bytes{" + labels(1) + "} 120000000")
                .contains("cf_container_memory_quota_bytes{" + labels(0) + "} 268435456")
                .contains("cf_container_disk_bytes{" + labels(0) + "} 50000000")
                .contains("cf_container_disk_quota_bytes{" + labels(0) + "} 1073741824")
                .contains("cf_container_uptime_seconds{" + labels(1) + "} 7200")
                .contains("cf_container_state{state=\"RUNNING\"," + labels(0) + "} 1")
                .contains("cf_container_state{state=\"CRASHED\"," + labels(0) + "} 0")
                .contains("promfetcher_container_stats_up{" + labels(0) + "} 1")
                .contains("default_metric{" + labels(0) + "} 0");
        assertThat(body).as("the crashed instance is not routed: nothing to label it with").doesNotContain("10.0.0.9");
        assertThat(body.indexOf("# TYPE cf_container_cpu_ratio gauge")).isEqualTo(body.lastIndexOf("# TYPE cf_container_cpu_ratio gauge"));
        assertThat(body).as("container samples are not instances").containsOnlyOnce("promfetcher_scrape_up{" + labels(0) + "}");
        Promtool.Verdict verdict = Promtool.checkMetrics(body.getBytes(StandardCharsets.UTF_8));
        assertThat(verdict.parses()).as(verdict.output()).isTrue();
        HttpResponse<String> om = GatewayProcess.get(gateway.api + "/v1/apps/" + APP + "/metrics",
                Map.of("Accept", "application/openmetrics-text;version=1.0.0"));
        assertThat(om.body()).contains("cf_container_cpu_ratio{" + labels(0) + "} 0.25").endsWith("# EOF\n");
    }

    @Test
    void onlyAppMetricsHasNoContainerMetrics() throws Exception {
        HttpResponse<String> response = get("/v1/apps/" + APP + "/only-app-metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("default_metric").doesNotContain("cf_container").doesNotContain("promfetcher_");
    }

    @Test
    void anAppWithoutAnEndpointStillAnswers200WithItsContainerMetrics() throws Exception {
        HttpResponse<String> response = get("/v1/apps/" + BARE + "/metrics");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("cf_container_memory_bytes{organization_id=\"org-my-org\"")
                .contains("} 64000000")
                .contains("promfetcher_scrape_up{organization_id=\"org-my-org\"")
                .contains("promfetcher_scrape_error{reason=\"http_404\"");
        assertThat(get("/v1/apps/" + BARE + "/only-app-metrics").statusCode()).as("without container metrics: every instance failed").isEqualTo(502);
    }

    @Test
    void statsUnavailableSayWhyAndTheAppsOwnMetricsStillCome() throws Exception {
        cf.statsMode = CloudFoundryStandIn.Mode.DOWN_503;
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/v1/apps/" + APP + "/metrics").body()
                .contains("promfetcher_container_stats_error{reason=\"http_503\"," + labels(0) + "} 1"));
        String body = get("/v1/apps/" + APP + "/metrics").body();
        assertThat(body).contains("promfetcher_container_stats_up{" + labels(0) + "} 0").contains("default_metric{" + labels(0) + "} 0")
                .doesNotContain("cf_container_cpu_ratio");
        cf.statsMode = CloudFoundryStandIn.Mode.MISSING_FIELDS;
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/v1/apps/" + APP + "/metrics").body()
                .contains("promfetcher_container_stats_error{reason=\"bad_document\""));
    }

    @Test
    void aHundredConcurrentCallersAskForStatsAtMostOncePerTtl() throws Exception {
        Thread.sleep(1100); // whatever earlier tests cached has expired
        cf.resetCounts();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(100);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                        return get("/v1/apps/" + APP + "/metrics").statusCode();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            go.countDown();
            for (CompletableFuture<Integer> c : calls) {
                assertThat(c.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        long ttls = Duration.ofNanos(System.nanoTime() - start).toMillis() / 1000 + 1; // cf.stats_ttl 1s
        assertThat(cf.count("/v3/processes/{guid}/stats")).isBetween(1, (int) ttls);
    }

    @Test
    void thePathAnnotationIsTheDefaultMetricPathAndTheRequestsPathStillWins() throws Exception {
        annotate(Map.of("prometheus.io/path", "/custom"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/v1/apps/" + APP + "/only-app-metrics").body().contains("custom_metric"));
        assertThat(get("/v1/apps/" + APP + "/only-app-metrics?metric_path=/metrics").body()).contains("default_metric").doesNotContain("custom_metric");
        annotate(Map.of());
        await("removed: back to /metrics").atMost(Duration.ofSeconds(10))
                .until(() -> get("/v1/apps/" + APP + "/only-app-metrics").body().contains("default_metric"));
    }

    @Test
    void anInvalidPathAnnotationIsIgnored() throws Exception {
        annotate(Map.of("prometheus.io/path", "http://evil.example.com/x", "prometheus.io/scrape", "maybe"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/metrics").body()
                .contains("promfetcher_cf_annotations_invalid_total{annotation=\"prometheus.io/path\"}"));
        assertThat(get("/v1/apps/" + APP + "/only-app-metrics").body()).contains("default_metric");
    }

    @Test
    void scrapeFalseRemovesTheAppFromServiceDiscoveryUntilTheAnnotationGoes() throws Exception {
        annotate(Map.of("prometheus.io/scrape", "false"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !sdApps().contains(APP));
        assertThat(sdApps()).contains(BARE);
        assertThat(get("/v1/apps/" + APP + "/metrics").statusCode()).as("still served when asked for by name").isEqualTo(200);
        annotate(Map.of("prometheus.io/scrape", "true"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sdApps().contains(APP));
    }

    @Test
    void metadataUnavailableKeepsTheDefaultsAndSaysSo() throws Exception {
        cf.appsListMode = CloudFoundryStandIn.Mode.DOWN_503;
        await().atMost(Duration.ofSeconds(10)).until(() -> !metadataUp());
        HttpResponse<String> ready = GatewayProcess.get(gateway.api + "/ready", Map.of());
        assertThat(ready.statusCode()).as("defaults are a working state").isEqualTo(200);
        assertThat(ready.body()).contains("cf-metadata").contains("app metadata unavailable (http_503)");
        assertThat(get("/metrics").body()).contains("promfetcher_cf_requests_total{call=\"apps\",outcome=\"http_503\"}");
        assertThat(get("/v1/apps/" + APP + "/metrics").statusCode()).isEqualTo(200);
        for (CloudFoundryStandIn.Mode bad : List.of(CloudFoundryStandIn.Mode.BAD_TYPES, CloudFoundryStandIn.Mode.HUGE)) {
            cf.appsListMode = bad;
            Thread.sleep(1500);
            assertThat(get("/v1/apps/" + APP + "/metrics").statusCode()).as(bad.name()).isEqualTo(200);
        }
        assertThat(get("/metrics").body()).contains("promfetcher_cf_requests_total{call=\"apps\",outcome=\"bad_document\"}");
        cf.appsListMode = CloudFoundryStandIn.Mode.NORMAL;
        await().atMost(Duration.ofSeconds(20)).until(CloudFoundryMetadataIT::metadataUp);
    }

    static List<String> sdApps() throws Exception {
        JsonNode sd = new ObjectMapper().readTree(get("/v1/sd").body());
        List<String> apps = new ArrayList<>();
        sd.forEach(t -> apps.add(t.get("labels").get("app_id").asText()));
        return apps;
    }
}
