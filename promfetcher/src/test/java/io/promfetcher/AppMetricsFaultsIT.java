package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.scrape.RawInstance;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.Promtool;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Instances that fail in every way the fan-out must survive, end to end through the gateway. */
class AppMetricsFaultsIT {
    static NatsServer nats;
    static Connection publisher;
    static InProcessGateway gateway;
    static String api;
    final List<AutoCloseable> servers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        gateway = InProcessGateway.start(nats.url(), Map.of(
                "PROMFETCHER_ROUTES_REGISTER_INTERVAL", "300ms",
                "PROMFETCHER_SCRAPE_MAX_BODY_SIZE", "1MB"));
        api = gateway.api;
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.gateway.health().ready());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        publisher.close();
        nats.close();
    }

    @AfterEach
    void closeServers() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
    }

    private MockWebServer instance(MockResponse response) throws Exception {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return response;
            }
        });
        server.start();
        servers.add(server);
        return server;
    }

    private void announceAll(String app, int... ports) throws Exception {
        // Re-announced until routed (as route-emitter re-announces); wait on the route table
        // itself: scraping here would wait on the slow instances.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int i = 0; i < ports.length; i++) {
                AppMetricsIT.announce(publisher, guid(app), "faults", "test", app, app + ".apps.example.com", i, ports[i]);
            }
            String routes = get("/routes", Map.of()).body();
            return java.util.Arrays.stream(ports).allMatch(p -> routes.contains(":" + p + "\""));
        });
    }

    private static String guid(String app) {
        return java.util.UUID.nameUUIDFromBytes(app.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        return GatewayProcess.get(api + path, headers);
    }

    @Test
    void brokenInstancesAreReportedWhileTheOthersMergeWithinTheDeadline() throws Exception {
        MockWebServer healthy = instance(new MockResponse.Builder().body("up_metric 1\n").build());
        MockWebServer slow = instance(new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).body("late 1\n").build());
        RawInstance cut = new RawInstance((n, out) -> {
            out.write(RawInstance.ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\ncut_metric 1\n"));
            out.flush();
            return false; // closes the connection 987 bytes short
        });
        servers.add(cut);
        MockWebServer bomb = instance(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzip(new byte[64 << 20]))).build());
        MockWebServer garbage = instance(new MockResponse.Builder().body("ok_metric 1\nthis is { not metrics\n").build());
        announceAll("mixed", healthy.getPort(), slow.getPort(), cut.port(), bomb.getPort(), garbage.getPort());

        long start = System.nanoTime();
        HttpResponse<String> response = get("/v1/apps/faults/test/mixed/metrics", Map.of("X-Prometheus-Scrape-Timeout-Seconds", "2"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String body = response.body();
        assertThat(body).contains("up_metric{").doesNotContain("late").doesNotContain("cut_metric").doesNotContain("ok_metric");
        assertThat(body).containsPattern("promfetcher_scrape_error\\{reason=\"timeout\",[^}]*index=\"1\"[^}]*\\} 1");
        assertThat(body).containsPattern("promfetcher_scrape_error\\{reason=\"connect\",[^}]*index=\"2\"[^}]*\\} 1");
        assertThat(body).containsPattern("promfetcher_scrape_error\\{reason=\"too_large\",[^}]*index=\"3\"[^}]*\\} 1");
        assertThat(body).containsPattern("promfetcher_scrape_error\\{reason=\"parse\",[^}]*index=\"4\"[^}]*\\} 1");
        assertThat(body).containsPattern("promfetcher_scrape_up\\{[^}]*index=\"0\"[^}]*\\} 1");
        assertThat(body).containsPattern("promfetcher_scrape_up\\{[^}]*index=\"1\"[^}]*\\} 0");
        assertThat(Promtool.checkMetrics(body.getBytes(StandardCharsets.UTF_8)).parses()).isTrue();
        // The caller's 2 s budget, not the slow instance's 30 s, bounds the answer (generous slack for a busy machine).
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void everyInstanceAnswering401GivesTheCaller401() throws Exception {
        MockWebServer a = instance(new MockResponse.Builder().code(401).body("no").build());
        MockWebServer b = instance(new MockResponse.Builder().code(401).body("no").build());
        announceAll("locked", a.getPort(), b.getPort());
        assertThat(get("/v1/apps/faults/test/locked/metrics", Map.of()).statusCode()).isEqualTo(401);
    }

    @Test
    void everyInstanceFailingOtherwiseGives502WithTheReasons() throws Exception {
        MockWebServer a = instance(new MockResponse.Builder().code(500).body("boom").build());
        MockWebServer b = instance(new MockResponse.Builder().body("{{{ not metrics\n").build());
        announceAll("broken", a.getPort(), b.getPort());
        HttpResponse<String> response = get("/v1/apps/faults/test/broken/metrics", Map.of());
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("http_500").contains("parse at line 1");
    }

    @Test
    void aRedirectIsNeverFollowed() throws Exception {
        MockWebServer target = instance(new MockResponse.Builder().body("stolen 1\n").build());
        MockWebServer redirecting = instance(new MockResponse.Builder().code(302)
                .addHeader("Location", "http://127.0.0.1:" + target.getPort() + "/metrics").build());
        announceAll("redirecting", redirecting.getPort());
        HttpResponse<String> response = get("/v1/apps/faults/test/redirecting/metrics", Map.of());
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("http_302");
        assertThat(target.takeRequest(300, TimeUnit.MILLISECONDS)).isNull();
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
