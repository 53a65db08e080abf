package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.routes.Announcements;
import io.promfetcher.scrape.RawInstance;
import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.NatsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The gateway as an attacker meets it: the real jar under a 256 MB heap, a real nats-server, raw
 * sockets on loopback. Each attack takes a few seconds, and after each one the gateway must still
 * answer, with its in-flight count back at zero. The NATS flood comes last: it fills the table.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileIT {
    private static final String SLOW = "5a000000-0000-0000-0000-00000000005a";
    private static final String MIXED = "6b000000-0000-0000-0000-00000000006b";
    private static final String SELF = "7c000000-0000-0000-0000-00000000007c";
    private static final String HUGE = "8d000000-0000-0000-0000-00000000008d";
    private static final String BIG = "9e000000-0000-0000-0000-00000000009e";
    private static final String WIDE = "af000000-0000-0000-0000-0000000000af";
    private static final byte[] NODE_EXPORTER = corpus("node-exporter-1.5.txt");

    private static NatsServer nats;
    private static Connection publisher;
    private static GatewayProcess gateway;
    private static int apiPort;
    private static String api;
    private static final List<AutoCloseable> instances = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        Map<String, String> env = GatewayProcess.freePorts();
        env.put("PROMFETCHER_NATS_SERVERS", nats.url());
        env.put("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "500ms");
        env.put("PROMFETCHER_HTTP_HEADER_TIMEOUT", "2s");
        env.put("PROMFETCHER_ROUTES_MAX_INSTANCES_PER_APP", "25000");
        env.put("PROMFETCHER_LOG_ACCESS", "false");
        apiPort = Integer.parseInt(env.get("PROMFETCHER_PORT"));
        api = "http://127.0.0.1:" + apiPort;
        gateway = GatewayProcess.startWithHeap("256m", env);
        GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30)).until(() -> GatewayProcess.get(api + "/ready", Map.of()).statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : instances) {
            c.close();
        }
        if (gateway != null) {
            gateway.signal("TERM");
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(gateway.stdout() + gateway.stderr()).doesNotContain("OutOfMemoryError");
        }
        if (publisher != null) {
            publisher.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    /** After every attack: still alive, answering, and no request left holding an in-flight slot. */
    @AfterEach
    void stillServing() throws Exception {
        assertThat(gateway.alive()).as("the gateway process is alive").isTrue();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> metrics = GatewayProcess.get(api + "/metrics", Map.of());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(gauge(metrics.body(), "promfetcher_http_requests_in_flight")).isLessThanOrEqualTo(1); // this request
        });
    }

    @Test
    @Order(1)
    void brokenPercentEscapesAre400AndNeverLeakAnInFlightSlot() throws Exception {
        // 300 is more than http.max_concurrent_requests (256): a leaked slot per request would lock the API for good.
        for (int i = 0; i < 150; i++) {
            assertThat(raw("GET /x%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 400 ");
            assertThat(raw("GET /v1/apps/metrics?app=a% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 400 ").contains("bad request target");
        }
        assertThat(GatewayProcess.get(api + "/v1/sd", Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void pipelinedRequestsAreAnsweredInTheOrderTheyCame() throws Exception {
        MockWebServer slow = instance(new MockResponse.Builder().headersDelay(1500, TimeUnit.MILLISECONDS)
                .addHeader("Content-Type", "text/plain; version=0.0.4").body("slow_metric 1\n").build());
        routed(SLOW, "slow", 0, slow.getPort());

        String answers = raw("GET /v1/apps/hostile/test/slow/metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration.ofSeconds(20));

        assertThat(statuses(answers)).containsExactly(200, 200, 404);
        assertThat(answers.indexOf("slow_metric")).isPositive().isLessThan(answers.indexOf("\"status\":\"up\""));
    }

    @Test
    @Order(3)
    void aClientDrippingItsHeadersIsAnswered408AndClosed() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), apiPort)) {
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean closed = false;
            while (!closed && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
                try {
                    out.write('a');
                    out.flush();
                } catch (IOException reset) {
                    // closed by the gateway: what it answered is already in the buffer, or comes next
                }
                closed = readSome(socket.getInputStream(), got);
            }
            assertThat(got.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 408 ");
            assertThat(closed).as("the connection is closed").isTrue();
        }
    }

    @Test
    @Order(4)
    void aStatusCodeOutside100To599FailsOnlyThatInstance() throws Exception {
        RawInstance odd = new RawInstance((n, out) -> {
            out.write(RawInstance.ascii("HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\nno"));
            return true;
        });
        instances.add(odd);
        MockWebServer healthy = instance(new MockResponse.Builder()
                .addHeader("Content-Type", "text/plain; version=0.0.4").body("healthy_metric 1\n").build());
        routed(MIXED, "mixed", 0, odd.port());
        routed(MIXED, "mixed", 1, healthy.getPort());

        HttpResponse<String> merged = GatewayProcess.get(api + "/v1/apps/hostile/test/mixed/metrics", Map.of());

        assertThat(merged.statusCode()).isEqualTo(200);
        assertThat(merged.body()).contains("healthy_metric{").contains("promfetcher_scrape_error{reason=\"http_invalid\"");
    }

    @Test
    @Order(5)
    void theGatewayNeverScrapesItself() throws Exception {
        MockWebServer healthy = instance(new MockResponse.Builder()
                .addHeader("Content-Type", "text/plain; version=0.0.4").body("real_metric 1\n").build());
        routed(SELF, "self", 1, healthy.getPort());
        // Announced at the gateway's own API port, under a spelling of loopback that is not 127.0.0.1.
        String json = Announcements.appInstance("hostile", "test", "self", SELF, Announcements.guid(SELF + "/0"), "0",
                "127.1", apiPort, 0, "self.apps.example.com");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            publisher.publish("router.register", Announcements.bytes(json));
            publisher.flush(Duration.ofSeconds(2));
            return GatewayProcess.get(api + "/routes", Map.of()).body().contains("127.1:" + apiPort);
        });

        HttpResponse<String> merged = GatewayProcess.get(api + "/v1/apps/hostile/test/self/metrics", Map.of());
        assertThat(merged.statusCode()).isEqualTo(200);
        assertThat(merged.body()).contains("real_metric{").contains("promfetcher_scrape_error{reason=\"connect\"")
                .doesNotContain("promfetcher_http_requests_total");
        assertThat(GatewayProcess.get(api + "/v1/apps/hostile/test/self/metrics?metric_path=/v1/apps/hostile/test/self/metrics",
                Map.of()).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(6)
    void requestsOutsideHttp11AreRefusedPlainly() throws Exception {
        assertThat(raw("GET /health HTTP/9.9\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 505 ");
        assertThat(raw("GET /health HTTP/1.1\r\nHost: x\r\nX-A: b\r\n folded\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains("obs-fold");
        assertThat(raw("GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains("more than one Host");
        assertThat(raw("GET /health HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains("Host");
        assertThat(raw("POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")).startsWith("HTTP/1.1 411 ");
        String utf8 = new String("GET /ö HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        assertThat(new String(raw(utf8).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8))
                .startsWith("HTTP/1.1 404 ").contains("no such endpoint: /ö");
    }

    @Test
    @Order(7)
    void aHugeFanOutAtItsDeadlineFreezesNothing() throws Exception {
        int closedPort = FreePort.find();
        List<byte[]> announcements = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String host = "127.0." + (1 + i / 250) + "." + (1 + i % 250);
            announcements.add(Announcements.bytes(Announcements.appInstance("hostile", "test", "huge", HUGE,
                    Announcements.guid(HUGE + "/" + i), Integer.toString(i), host, closedPort, 0, "huge.apps.example.com")));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (byte[] a : announcements) {
                publisher.publish("router.register", a);
            }
            publisher.flush(Duration.ofSeconds(10));
            return gauge(GatewayProcess.get(api + "/metrics", Map.of()).body(), "promfetcher_routes_instances") >= 20_000;
        });

        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<HttpResponse<String>>> fanOuts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fanOuts.add(CompletableFuture.supplyAsync(() -> get("/v1/apps/hostile/test/huge/metrics",
                        Map.of("X-Prometheus-Scrape-Timeout-Seconds", "1")), callers));
            }
            // While they run out of time, everything else is answered at once: no event loop is frozen.
            while (!fanOuts.stream().allMatch(CompletableFuture::isDone)) {
                long start = System.nanoTime();
                assertThat(GatewayProcess.get(api + "/health", Map.of()).statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a liveness bound, not a speed target")
                        .isLessThan(Duration.ofSeconds(3));
                Thread.sleep(100);
            }
            for (CompletableFuture<HttpResponse<String>> fanOut : fanOuts) {
                assertThat(fanOut.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(502); // every instance failed
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(gauge(GatewayProcess.get(api + "/metrics", Map.of()).body(), "promfetcher_instance_scrapes_waiting")).isZero();
    }

    @Test
    @Order(8)
    void aLegal49MegabyteInstanceNeverFailsTheWholeAppUnderASmallHeap() throws Exception {
        byte[] body = largeExposition(49 << 20);
        MockWebServer big = instance(new MockResponse.Builder()
                .addHeader("Content-Type", "text/plain; version=0.0.4").body(new Buffer().write(body)).build());
        MockWebServer small = instance(new MockResponse.Builder()
                .addHeader("Content-Type", "text/plain; version=0.0.4").body("small_metric 1\n").build());
        routed(BIG, "big", 0, big.getPort());
        routed(BIG, "big", 1, small.getPort());

        HttpResponse<String> merged = GatewayProcess.get(api + "/v1/apps/hostile/test/big/only-app-metrics", Map.of());

        assertThat(merged.statusCode()).isEqualTo(200);
        assertThat(merged.body()).contains("small_metric{");
        assertThat(gauge(GatewayProcess.get(api + "/metrics", Map.of()).body(), "promfetcher_memory_budget_used_bytes")).isZero();
    }

    @Test
    @Order(9)
    void manyCallersOfAWideAppGetAnAnswerNeverAnOutOfMemory() throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            MockWebServer server = new MockWebServer();
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return new MockResponse.Builder().addHeader("Content-Type", "text/plain; version=0.0.4")
                            .body(new Buffer().write(NODE_EXPORTER)).build();
                }
            });
            server.start();
            instances.add(server);
            ports.add(server.getPort());
        }
        for (int i = 0; i < ports.size(); i++) {
            routed(WIDE, "wide", i, ports.get(i));
        }
        ExecutorService callers = Executors.newFixedThreadPool(64);
        try {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> get("/v1/apps/hostile/test/wide/metrics",
                        Map.of("X-Prometheus-Scrape-Timeout-Seconds", "20")), callers));
            }
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(120, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isIn(200, 503);
                if (response.statusCode() == 503) {
                    assertThat(response.headers().firstValue("Retry-After")).isPresent();
                }
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    @Order(100)
    void aNatsFloodOfMillionsOfRoutesIsCutToTheTablesLimits() throws Exception {
        StringBuilder uris = new StringBuilder();
        for (int u = 0; u < 14_000; u++) {
            uris.append(u == 0 ? "" : ",").append("\"f").append(u).append(".flood.example.com\"");
        }
        for (int m = 0; m < 200; m++) {
            String json = "{\"host\":\"10.9." + (m / 250) + "." + (1 + m % 250) + "\",\"port\":8080,\"uris\":[" + uris
                    + "],\"tags\":{\"component\":\"flood\"}}";
            publisher.publish("router.register", json.getBytes(StandardCharsets.UTF_8)); // 2.8 M routes if all were kept
        }
        publisher.flush(Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String metrics = GatewayProcess.get(api + "/metrics", Map.of()).body();
            // Not necessarily all 200: beyond the pending limit (an eighth of the heap) NATS drops
            // messages for a slow consumer, which is that bound at work.
            assertThat(counter(metrics, "promfetcher_routes_malformed_messages_total", "too_many_uris")).isGreaterThanOrEqualTo(100);
        });
        String metrics = GatewayProcess.get(api + "/metrics", Map.of()).body();
        assertThat(gauge(metrics, "promfetcher_routes_routes")).isLessThanOrEqualTo(100 + 10); // 100 per endpoint, shared by all
        long start = System.nanoTime();
        assertThat(GatewayProcess.get(api + "/routes", Map.of()).statusCode()).isEqualTo(200);
        assertThat(GatewayProcess.get(api + "/v1/sd", Map.of()).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a liveness bound").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @Order(101)
    void whileNatsIsUnreachableTheLogSaysSoOnceNotEverySecond() throws Exception {
        Map<String, String> env = GatewayProcess.freePorts();
        env.put("PROMFETCHER_NATS_SERVERS", "nats://127.0.0.1:" + FreePort.find());
        env.put("PROMFETCHER_NATS_RECONNECT_WAIT", "100ms");
        try (GatewayProcess unreachable = GatewayProcess.start(env)) {
            GatewayProcess.awaitListening("http://127.0.0.1:" + env.get("PROMFETCHER_PORT") + "/health", Duration.ofSeconds(30));
            Thread.sleep(5000); // some 50 failed attempts
            long warnings = unreachable.stdout().lines().filter(l -> l.contains(" WARN ")).count();
            assertThat(warnings).as(unreachable.stdout()).isBetween(1L, 3L);
            unreachable.signal("TERM");
            assertThat(unreachable.awaitExit(Duration.ofSeconds(30))).isZero();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static MockWebServer instance(MockResponse response) throws IOException {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return response;
            }
        });
        server.start(InetAddress.getLoopbackAddress(), 0);
        instances.add(server);
        return server;
    }

    /** Announces an instance of an app in org "hostile", space "test" until the route table has it. */
    private static void routed(String guid, String app, int index, int port) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            AppMetricsIT.announce(publisher, guid, "hostile", "test", app, app + ".apps.example.com", index, port);
            return GatewayProcess.get(api + "/routes", Map.of()).body().contains("127.0.0.1:" + port + "\"");
        });
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) {
        try {
            return GatewayProcess.get(api + path, headers);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends bytes on a fresh connection and reads until the gateway closes it or stays silent for 3 s. */
    private static String raw(String request) throws IOException {
        return raw(request, Duration.ofSeconds(3));
    }

    private static String raw(String request, Duration silence) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), apiPort)) {
            socket.setSoTimeout((int) silence.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    got.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException silent) {
                // kept open (keep-alive): what arrived is the answer
            } catch (IOException reset) {
                // closed with unread bytes of ours still in flight
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Reads what is there; true once the peer has closed. */
    private static boolean readSome(InputStream in, ByteArrayOutputStream into) throws IOException {
        byte[] buffer = new byte[1024];
        try {
            int n = in.read(buffer);
            if (n < 0) {
                return true;
            }
            into.write(buffer, 0, n);
            return false;
        } catch (SocketTimeoutException nothingYet) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static List<Integer> statuses(String answers) {
        List<Integer> codes = new ArrayList<>();
        Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(answers);
        while (m.find()) {
            codes.add(Integer.parseInt(m.group(1)));
        }
        return codes;
    }

    private static double gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in the gateway's metrics");
        }
        return Double.parseDouble(m.group(1));
    }

    private static double counter(String metrics, String name, String reason) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{reason=\"" + reason + "\"} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static byte[] corpus(String file) {
        try (InputStream in = HostileIT.class.getResourceAsStream("/corpus/" + file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid exposition of about {@code size} bytes: one counter family of many series with long labels. */
    private static byte[] largeExposition(int size) {
        StringBuilder out = new StringBuilder(size + 100);
        out.append("# TYPE big_requests_total counter\n");
        for (int i = 0; out.length() < size; i++) {
            out.append("big_requests_total{route=\"/api/v1/organizations/{organization}/projects/{project}\",n=\"")
                    .append(i).append("\"} ").append(i).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
