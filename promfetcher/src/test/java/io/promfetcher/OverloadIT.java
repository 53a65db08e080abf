package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.testkit.NatsServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * More callers than allowed, each asking for an app of many slow instances with large bodies,
 * against a gateway with a 256 MB heap: it answers 503 with Retry-After beyond its limits and
 * never runs out of memory.
 */
class OverloadIT {
    private static final int INSTANCES = 8;
    private static final int BODY_MB = 2;

    @Test
    void manySlowLargeInstancesNeverRunTheGatewayOutOfMemory() throws Exception {
        byte[] body = largeExposition(BODY_MB << 20);
        List<MockWebServer> instances = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(24);
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            for (int i = 0; i < INSTANCES; i++) {
                MockWebServer server = new MockWebServer();
                server.setDispatcher(new Dispatcher() {
                    @Override
                    public MockResponse dispatch(RecordedRequest request) {
                        // 2 MB at 1 MB/s: every scrape holds its connection and memory for ~2 s.
                        return new MockResponse.Builder().body(new Buffer().write(body))
                                .throttleBody(256 << 10, 250, TimeUnit.MILLISECONDS).build();
                    }
                });
                server.start();
                instances.add(server);
            }
            Map<String, String> env = GatewayProcess.freePorts();
            env.put("PROMFETCHER_NATS_SERVERS", nats.url());
            env.put("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "500ms");
            env.put("PROMFETCHER_HTTP_MAX_CONCURRENT_REQUESTS", "6");
            env.put("PROMFETCHER_SCRAPE_INSTANCE_TIMEOUT", "20s");
            env.put("PROMFETCHER_LOG_ACCESS", "false");
            try (GatewayProcess gateway = GatewayProcess.startWithHeap("256m", env);
                 Connection publisher = Nats.connect(nats.url())) {
                String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
                GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(20));
                // Re-announced until every instance is routed, as route-emitter re-announces.
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (int i = 0; i < INSTANCES; i++) {
                        AppMetricsIT.announce(publisher, "0b000000-0000-0000-0000-00000000000b", "load", "test", "big",
                                "big.apps.example.com", i, instances.get(i).getPort());
                    }
                    String routes = GatewayProcess.get(api + "/routes", Map.of()).body();
                    return instances.stream().allMatch(s -> routes.contains("127.0.0.1:" + s.getPort() + "\""));
                });

                List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    answers.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return GatewayProcess.get(api + "/v1/apps/load/test/big/metrics",
                                    Map.of("X-Prometheus-Scrape-Timeout-Seconds", "25"));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, callers));
                }
                int ok = 0;
                int unavailable = 0;
                for (CompletableFuture<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get(120, TimeUnit.SECONDS);
                    assertThat(response.statusCode()).as(response.body().substring(0, Math.min(300, response.body().length())))
                            .isIn(200, 502, 503);
                    if (response.statusCode() == 503) {
                        unavailable++;
                        assertThat(response.headers().firstValue("Retry-After")).isPresent();
                    } else if (response.statusCode() == 200) {
                        ok++;
                    }
                }
                assertThat(unavailable).as("callers beyond the limits are told to come back").isPositive();
                assertThat(ok).as("the gateway still serves within its limits").isPositive();

                assertThat(gateway.alive()).isTrue();
                assertThat(GatewayProcess.get(api + "/health", Map.of()).statusCode()).isEqualTo(200);
                gateway.signal("TERM");
                assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isZero();
                assertThat(gateway.stdout() + gateway.stderr()).doesNotContain("OutOfMemoryError");
            }
        } finally {
            callers.shutdownNow();
            for (MockWebServer s : instances) {
                s.close();
            }
        }
    }

    /** A valid exposition of about {@code size} bytes: one counter family of many series with long labels. */
    private static byte[] largeExposition(int size) {
        StringBuilder out = new StringBuilder(size + 100);
        out.append("# HELP big_requests_total Requests.\n# TYPE big_requests_total counter\n");
        String route = "/api/v1/organizations/{organization}/projects/{project}/repositories/{repository}/branches/{branch}/files";
        for (int i = 0; out.length() < size; i++) {
            out.append("big_requests_total{method=\"GET\",route=\"").append(route).append("\",user_agent=\"curl/8.5.0\",status=\"200\",n=\"")
                    .append(i).append("\"} ").append(i).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
