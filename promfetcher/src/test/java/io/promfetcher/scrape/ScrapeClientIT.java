package io.promfetcher.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.promfetcher.exposition.FailureReason;
import io.promfetcher.netty.Transport;
import io.promfetcher.testkit.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScrapeClientIT {
    private static final String ROUTE_HOST = "my-app.apps.example.com";
    private static final String EXPOSITION = "# TYPE up gauge\nup 1\n";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** Generous: only there so a broken client fails the test instead of hanging it. */
    private static final long GENEROUS_SECONDS = 30;

    private static EventLoopGroup group;
    private static final Transport TRANSPORT = Transport.best();

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private PrometheusRegistry registry;
    private ScrapeClient client;

    @BeforeAll
    static void eventLoops() {
        group = TRANSPORT.newEventLoopGroup(2, "scrape-it");
    }

    @AfterAll
    static void stopEventLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closeEverything() throws Exception {
        if (client != null) {
            client.close();
        }
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    private ScrapeClient client(ScrapeSettings settings) {
        registry = new PrometheusRegistry();
        client = new ScrapeClient(settings, group, TRANSPORT, registry);
        return client;
    }

    private MockWebServer server() throws IOException {
        MockWebServer server = new MockWebServer();
        server.start(InetAddress.getLoopbackAddress(), 0);
        closeAfter.add(server);
        return server;
    }

    private RawInstance raw(RawInstance.Script script) throws IOException {
        RawInstance instance = new RawInstance(script);
        closeAfter.add(instance);
        return instance;
    }

    private static ScrapeTarget<String> target(String id, int port) {
        return ScrapeTarget.http(id, "127.0.0.1", port, ROUTE_HOST);
    }

    private static ScrapeTarget<String> target(String id, MockWebServer server) {
        return target(id, server.getPort());
    }

    private List<ScrapeOutcome<String>> scrape(List<ScrapeTarget<String>> targets, Duration deadline) throws Exception {
        return scrape(targets, new ScrapeRequest(ForwardedHeaders.NONE, deadline));
    }

    private List<ScrapeOutcome<String>> scrape(List<ScrapeTarget<String>> targets, ScrapeRequest request) throws Exception {
        return client.scrape(targets, request).get(GENEROUS_SECONDS, TimeUnit.SECONDS);
    }

    private static MockResponse ok(String body) {
        return new MockResponse.Builder().addHeader("Content-Type", OPENMETRICS).body(body).build();
    }

    private static String body(ScrapeOutcome<String> outcome) {
        assertThat(outcome).isInstanceOf(ScrapeOutcome.Success.class);
        return new String(((ScrapeOutcome.Success<String>) outcome).body(), StandardCharsets.UTF_8);
    }

    private static ScrapeOutcome.Failure<String> failure(ScrapeOutcome<String> outcome) {
        assertThat(outcome).isInstanceOf(ScrapeOutcome.Failure.class);
        return (ScrapeOutcome.Failure<String>) outcome;
    }

    private static byte[] gzip(byte[] data, int copies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            for (int i = 0; i < copies; i++) {
                gz.write(data);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private double counter(String name, String labelName, String labelValue) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot.getMetadata().getName().equals(name) && snapshot instanceof CounterSnapshot counter) {
                return counter.getDataPoints().stream()
                        .filter(p -> labelName.isEmpty() || labelValue.equals(p.getLabels().get(labelName)))
                        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
            }
        }
        throw new AssertionError("no counter " + name);
    }

    private double gauge(String name) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot.getMetadata().getName().equals(name) && snapshot instanceof GaugeSnapshot gauge) {
                return gauge.getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError("no gauge " + name);
    }

    @Test
    void successGivesTheBodyAndContentTypeOfEveryInstanceInTargetOrder() throws Exception {
        client(ScrapeSettings.defaults());
        MockWebServer a = server();
        MockWebServer b = server();
        a.enqueue(ok("a 1\n"));
        b.enqueue(new MockResponse.Builder().body("b 2\n").build());

        List<ScrapeOutcome<String>> outcomes = scrape(List.of(target("0", a), target("1", b)), Duration.ofSeconds(10));

        assertThat(outcomes).extracting(ScrapeOutcome::instance).containsExactly("0", "1");
        assertThat(body(outcomes.get(0))).isEqualTo("a 1\n");
        assertThat(((ScrapeOutcome.Success<String>) outcomes.get(0)).contentType()).isEqualTo(OPENMETRICS);
        assertThat(body(outcomes.get(1))).isEqualTo("b 2\n");
        assertThat(outcomes.get(0).duration()).isPositive();
        assertThat(counter("promfetcher_instance_scrapes", "outcome", "success")).isEqualTo(2);
    }

    @Test
    void aFanOutStartedOnAnEventLoopCompletesThereEvenOverAConnectionOfAnotherLoop() throws Exception {
        client(ScrapeSettings.defaults());
        MockWebServer server = server();
        server.enqueue(ok(EXPOSITION));
        server.enqueue(ok(EXPOSITION));
        io.netty.channel.EventLoop first = group.next();
        io.netty.channel.EventLoop second = group.next();
        assertThat(second).isNotSameAs(first);

        Thread completedOnFirst = scrapeFrom(first, server);
        Thread completedOnSecond = scrapeFrom(second, server); // reuses the connection living on the first loop

        assertThat(completedOnFirst).isSameAs(first.submit(Thread::currentThread).get());
        assertThat(completedOnSecond).isSameAs(second.submit(Thread::currentThread).get());
        assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(server.takeRequest().getConnectionIndex());
    }

    private Thread scrapeFrom(io.netty.channel.EventLoop caller, MockWebServer server) throws Exception {
        return caller.submit(() -> client.scrape(List.of(target("0", server)),
                        new ScrapeRequest(ForwardedHeaders.NONE, Duration.ofSeconds(10))))
                .get(GENEROUS_SECONDS, TimeUnit.SECONDS)
                .thenApply(outcomes -> Thread.currentThread())
                .get(GENEROUS_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void manyConcurrentFanOutsAllCompleteAndGiveEverySlotBack() throws Exception {
        client(ScrapeSettings.defaults().withConcurrency(2, 8, 4));
        List<ScrapeTarget<String>> targets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            MockWebServer server = server();
            String body = "instance " + i + "\n";
            server.setDispatcher(new mockwebserver3.Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return ok(body);
                }
            });
            targets.add(target(Integer.toString(i), server));
        }
        List<java.util.concurrent.CompletableFuture<List<ScrapeOutcome<String>>>> fanOuts = new ArrayList<>();
        for (int f = 0; f < 30; f++) {
            io.netty.channel.EventLoop caller = group.next();
            fanOuts.add(caller.submit(() -> client.scrape(targets,
                    new ScrapeRequest(ForwardedHeaders.NONE, Duration.ofSeconds(25))))
                    .get(GENEROUS_SECONDS, TimeUnit.SECONDS));
        }

        for (var fanOut : fanOuts) {
            List<ScrapeOutcome<String>> outcomes = fanOut.get(GENEROUS_SECONDS, TimeUnit.SECONDS);
            for (int i = 0; i < 10; i++) {
                assertThat(body(outcomes.get(i))).isEqualTo("instance " + i + "\n");
                ((ScrapeOutcome.Success<String>) outcomes.get(i)).memory().release(); // the caller owns the bodies
            }
        }
        assertThat(gauge("promfetcher_instance_scrapes_in_flight")).isZero();
        assertThat(gauge("promfetcher_instance_scrapes_waiting")).isZero();
        assertThat(gauge("promfetcher_memory_budget_used_bytes")).isZero();
        assertThat(gauge("promfetcher_instance_connections_open")).isLessThanOrEqualTo(10 * 2);
        assertThat(counter("promfetcher_instance_scrapes", "outcome", "success")).isEqualTo(300);
    }

    @Test
    void noTargetsGiveNoOutcomes() throws Exception {
        client(ScrapeSettings.defaults());
        assertThat(scrape(List.of(), Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void keepAliveConnectionIsReusedAcrossScrapes() throws Exception {
        client(ScrapeSettings.defaults());
        MockWebServer server = server();
        for (int i = 0; i < 4; i++) {
            server.enqueue(ok(EXPOSITION));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(body(scrape(List.of(target("0", server)), Duration.ofSeconds(10)).get(0))).isEqualTo(EXPOSITION);
        }
        List<Integer> connectionIndexes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            connectionIndexes.add(server.takeRequest().getConnectionIndex());
        }
        assertThat(connectionIndexes).containsOnly(connectionIndexes.get(0));
        assertThat(counter("promfetcher_instance_connections_opened", "", "")).isEqualTo(1);
        assertThat(gauge("promfetcher_instance_connections_open")).isEqualTo(1);
    }

    @Test
    void gzipIsAskedForAndDecoded() throws Exception {
        client(ScrapeSettings.defaults());
        MockWebServer server = server();
        byte[] plain = "# TYPE requests counter\nrequests_total 12345\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
        byte[] compressed = gzip(plain, 1);
        server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .addHeader("Content-Type", "text/plain; version=0.0.4").body(new Buffer().write(compressed)).build());

        ScrapeOutcome<String> outcome = scrape(List.of(target("0", server)), Duration.ofSeconds(10)).get(0);

        assertThat(((ScrapeOutcome.Success<String>) outcome).body()).isEqualTo(plain);
        assertThat(server.takeRequest().getHeaders().get("Accept-Encoding")).isEqualTo("gzip");
        assertThat(counter("promfetcher_instance_received_bytes", "stage", "wire")).isEqualTo(compressed.length);
        assertThat(counter("promfetcher_instance_received_bytes", "stage", "decoded")).isEqualTo(plain.length);
    }

    @Test
    void gzipBombGivesTooLargeWithoutHoldingMoreThanTheLimit() throws Exception {
        long limit = 1024 * 1024;
        client(ScrapeSettings.defaults().withMaxBodyBytes(limit));
        MockWebServer server = server();
        byte[] bomb = gzip(new byte[1024 * 1024], 200); // 200 MiB of zeros in about 200 KiB
        server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(bomb)).build());

        ScrapeOutcome.Failure<String> failure = failure(scrape(List.of(target("0", server)), Duration.ofSeconds(10)).get(0));

        assertThat(failure.reason().label()).isEqualTo("too_large");
        assertThat(failure.detail()).contains("after decompression");
        assertThat(counter("promfetcher_instance_received_bytes", "stage", "decoded")).isLessThanOrEqualTo(limit);
        assertThat(counter("promfetcher_instance_scrapes", "outcome", "too_large")).isEqualTo(1);
    }

    @Test
    void bodiesBeyondTheSharedMemoryBudgetFailInsteadOfExhaustingTheHeap() throws Exception {
        client(ScrapeSettings.defaults().withMaxBodyBytes(1024 * 1024).withMaxBufferedBytes(1024 * 1024));
        MockWebServer a = server();
        MockWebServer b = server();
        // Each body alone fits the budget, both together do not; sent slowly so they overlap.
        for (MockWebServer server : List.of(a, b)) {
            server.enqueue(new MockResponse.Builder().body("x".repeat(700 * 1024))
                    .throttleBody(100 * 1024, 500, TimeUnit.MILLISECONDS).build());
        }

        List<ScrapeOutcome<String>> outcomes = scrape(List.of(target("0", a), target("1", b)), Duration.ofSeconds(20));

        assertThat(outcomes).filteredOn(o -> o instanceof ScrapeOutcome.Success).hasSize(1);
        ScrapeOutcome.Failure<String> refused = outcomes.stream().filter(o -> o instanceof ScrapeOutcome.Failure)
                .map(o -> (ScrapeOutcome.Failure<String>) o).findFirst().orElseThrow();
        assertThat(refused.reason().label()).isEqualTo("too_large");
        assertThat(refused.detail()).contains("scrape.max_buffered_bytes");
        // The body that arrived keeps its share until whoever merges it lets go.
        ScrapeOutcome.Success<String> received = (ScrapeOutcome.Success<String>) outcomes.stream()
                .filter(o -> o instanceof ScrapeOutcome.Success).findFirst().orElseThrow();
        assertThat(gauge("promfetcher_memory_budget_used_bytes")).isEqualTo(700 * 1024);
        assertThat(received.memory().bytes()).isEqualTo(700 * 1024);
        received.memory().release();
        received.memory().release();
        assertThat(gauge("promfetcher_memory_budget_used_bytes")).isZero();
    }

    @Test
    void contentLengthOverTheLimitGivesTooLarge() throws Exception {
        client(ScrapeSettings.defaults().withMaxBodyBytes(100));
        MockWebServer server = server();
        server.enqueue(ok("x".repeat(101)));

        ScrapeOutcome.Failure<String> failure = failure(scrape(List.of(target("0", server)), Duration.ofSeconds(10)).get(0));

        assertThat(failure.reason().label()).isEqualTo("too_large");
        assertThat(failure.detail()).contains("Content-Length 101");
    }

    @Test
    void aBodyExactlyAtTheLimitIsAccepted() throws Exception {
        client(ScrapeSettings.defaults().withMaxBodyBytes(100));
        MockWebServer server = server();
        server.enqueue(new MockResponse.Builder().chunkedBody("y".repeat(100), 7).build());
        assertThat(body(scrape(List.of(target("0", server)), Duration.ofSeconds(10)).get(0))).isEqualTo("y".repeat(100));
    }

    @Test
    void slowInstanceTimesOutWhileTheOthersSucceed() throws Exception {
        // 3 s: ample for a local answer even on a loaded CI machine, short enough to keep the test quick.
        client(ScrapeSettings.defaults().withInstanceTimeout(Duration.ofSeconds(3)));
        MockWebServer fast1 = server();
        MockWebServer slow = server();
        MockWebServer fast2 = server();
        fast1.enqueue(ok("fast 1\n"));
        fast2.enqueue(ok("fast 2\n"));
        slow.enqueue(new MockResponse.Builder().headersDelay(20, TimeUnit.SECONDS).body("late\n").build());

        List<ScrapeOutcome<String>> outcomes = scrape(
                List.of(target("0", fast1), target("1", slow), target("2", fast2)), Duration.ofSeconds(20));

        assertThat(body(outcomes.get(0))).isEqualTo("fast 1\n");
        assertThat(failure(outcomes.get(1)).reason().label()).isEqualTo("timeout");
        assertThat(failure(outcomes.get(1)).detail()).contains("no complete answer within 3s");
        assertThat(body(outcomes.get(2))).isEqualTo("fast 2\n");
    }

    @Test
    void theFanOutDeadlineWinsOverALongerInstanceTimeout() throws Exception {
        client(ScrapeSettings.defaults());
        MockWebServer slow = server();
        slow.enqueue(new MockResponse.Builder().headersDelay(20, TimeUnit.SECONDS).body("late\n").build());

        ScrapeOutcome.Failure<String> failure = failure(scrape(List.of(target("0", slow)), Duration.ofMillis(700)).get(0));

        assertThat(failure.reason().label()).isEqualTo("timeout");
        assertThat(failure.duration()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void instanceClosingMidBodyIsAFailureNeverATruncatedBody() throws Exception {
        client(ScrapeSettings.defaults());
        RawInstance contentLength = raw((n, out) -> {
            out.write(RawInstance.ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(100)));
            return false;
        });
        RawInstance chunked = raw((n, out) -> {
            out.write(RawInstance.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n"));
            return false;
        });
        RawInstance noLength = raw((n, out) -> { // a body ended by close is complete by HTTP's rules
            out.write(RawInstance.ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nup 1\n"));
            return false;
        });

        List<ScrapeOutcome<String>> outcomes = scrape(List.of(target("0", contentLength.port()),
                target("1", chunked.port()), target("2", noLength.port())), Duration.ofSeconds(10));

        assertThat(failure(outcomes.get(0)).reason().label()).isEqualTo("connect");
        assertThat(failure(outcomes.get(0)).detail()).contains("closed the connection after 100 bytes of the body");
        assertThat(failure(outcomes.get(1)).reason().label()).isEqualTo("connect");
        assertThat(body(outcomes.get(2))).isEqualTo("up 1\n");
    }

    @Test
    void connectionRefusedGivesConnect() throws Exception {
        client(ScrapeSettings.defaults());
        ScrapeOutcome.Failure<String> failure = failure(
                scrape(List.of(target("0", FreePort.find())), Duration.ofSeconds(10)).get(0));
        assertThat(failure.reason().label()).isEqualTo("connect");
        assertThat(failure.detail()).contains("cannot connect to http://127.0.0.1:");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(gauge("promfetcher_instance_connections_open")).isZero());
    }

    @Test
    void errorStatusGivesHttpStatusAndKeepsTheConnection() throws Exception {
        client(ScrapeSettings.defaults());
        MockWebServer server = server();
        server.enqueue(new MockResponse.Builder().code(500).body("boom").build());
        server.enqueue(new MockResponse.Builder().code(401).body("who are you?").build());
        server.enqueue(ok(EXPOSITION));

        ScrapeOutcome.Failure<String> http500 = failure(scrape(List.of(target("0", server)), Duration.ofSeconds(10)).get(0));
        ScrapeOutcome.Failure<String> http401 = failure(scrape(List.of(target("0", server)), Duration.ofSeconds(10)).get(0));
        String third = body(scrape(List.of(target("0", server)), Duration.ofSeconds(10)).get(0));

        assertThat(http500.reason().label()).isEqualTo("http_500");
        assertThat(http500.reason().httpStatus()).hasValue(500);
        assertThat(http500.detail()).contains("HTTP 500");
        assertThat(http401.reason().label()).isEqualTo("http_401");
        assertThat(third).isEqualTo(EXPOSITION);
        int first = server.takeRequest().getConnectionIndex();
        assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(first);
        assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(first);
        assertThat(counter("promfetcher_instance_scrapes", "outcome", "http_500")).isEqualTo(1);
    }

    @Test
    void redirectIsNeverFollowed() throws Exception {
        client(ScrapeSettings.defaults());
        MockWebServer redirecting = server();
        MockWebServer elsewhere = server();
        elsewhere.enqueue(ok("must not be fetched\n"));
        redirecting.enqueue(new MockResponse.Builder().code(302)
                .addHeader("Location", "http://127.0.0.1:" + elsewhere.getPort() + "/metrics").build());

        ScrapeOutcome.Failure<String> failure = failure(
                scrape(List.of(target("0", redirecting)), Duration.ofSeconds(10)).get(0));

        assertThat(failure.reason().label()).isEqualTo("http_302");
        assertThat(failure.detail()).contains("redirects are not followed");
        assertThat(redirecting.getRequestCount()).isEqualTo(1);
        assertThat(elsewhere.getRequestCount()).isZero();
    }

    @Test
    void instanceReceivesExactlyTheHeadersThePolicySays() throws Exception {
        client(ScrapeSettings.defaults().withForwardedHeaders(List.of("X-Tenant")));
        MockWebServer server = server();
        server.enqueue(ok(EXPOSITION));
        io.netty.handler.codec.http.HttpHeaders caller = io.netty.handler.codec.http.DefaultHttpHeadersFactory.headersFactory().newHeaders();
        caller.add("Authorization", "Bearer app-token");
        caller.add("X-Tenant", "blue");
        caller.add("X-Other", "not forwarded");
        caller.add("Proxy-Authorization", "Basic c2VjcmV0");
        caller.add("Connection", "keep-alive");
        caller.add("Keep-Alive", "timeout=5");
        caller.add("Upgrade", "h2c");
        caller.add("Host", "gateway.example.com");
        caller.add("X-Prometheus-Scrape-Timeout-Seconds", "10");
        ForwardedHeaders forwarded = client.headerPolicy().forCaller(caller, "10.1.2.3", "https");

        scrape(List.of(target("0", server).withMetricPath(MetricPath.validate("/actuator/prometheus?x=1"))),
                new ScrapeRequest(forwarded, client.deadlineFor(java.util.Optional.of("10"))));

        RecordedRequest request = server.takeRequest();
        assertThat(request.getTarget()).isEqualTo("/actuator/prometheus?x=1");
        Map<String, List<String>> headers = new java.util.TreeMap<>();
        for (String name : request.getHeaders().names()) {
            headers.put(name.toLowerCase(java.util.Locale.ROOT), request.getHeaders().values(name));
        }
        assertThat(headers.keySet()).containsExactly("accept", "accept-encoding", "authorization", "host",
                "user-agent", "x-forwarded-for", "x-forwarded-proto", "x-prometheus-scrape-timeout-seconds", "x-tenant");
        assertThat(headers.get("host")).containsExactly(ROUTE_HOST);
        assertThat(headers.get("authorization")).containsExactly("Bearer app-token");
        assertThat(headers.get("x-tenant")).containsExactly("blue");
        assertThat(headers.get("x-forwarded-for")).containsExactly("10.1.2.3");
        assertThat(headers.get("x-forwarded-proto")).containsExactly("https");
        assertThat(headers.get("accept")).containsExactly(HeaderPolicy.ACCEPT);
        double passedDown = Double.parseDouble(headers.get("x-prometheus-scrape-timeout-seconds").get(0));
        assertThat(passedDown).isGreaterThan(0).isLessThanOrEqualTo(9.5);
    }

    @Test
    void excessScrapesWaitTheirTurnWithinTheDeadline() throws Exception {
        client(ScrapeSettings.defaults().withConcurrency(1, 1, 1));
        List<ScrapeTarget<String>> targets = new ArrayList<>();
        List<MockWebServer> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MockWebServer server = server();
            server.enqueue(new MockResponse.Builder().headersDelay(100, TimeUnit.MILLISECONDS).body("i " + i + "\n").build());
            servers.add(server);
            targets.add(target(Integer.toString(i), server));
        }

        List<ScrapeOutcome<String>> outcomes = scrape(targets, Duration.ofSeconds(20));

        for (int i = 0; i < 3; i++) {
            assertThat(body(outcomes.get(i))).isEqualTo("i " + i + "\n");
        }
        assertThat(gauge("promfetcher_instance_scrapes_in_flight")).isZero();
        assertThat(gauge("promfetcher_instance_scrapes_waiting")).isZero();
    }

    @Test
    void scrapesOfOneInstanceShareItsConnectionsUpToTheLimit() throws Exception {
        client(ScrapeSettings.defaults().withConcurrency(1, 100, 100));
        MockWebServer server = server();
        for (int i = 0; i < 3; i++) {
            server.enqueue(ok("n " + i + "\n"));
        }

        List<ScrapeOutcome<String>> outcomes = scrape(
                List.of(target("a", server), target("b", server), target("c", server)), Duration.ofSeconds(20));

        assertThat(outcomes).allMatch(o -> o instanceof ScrapeOutcome.Success);
        int first = server.takeRequest().getConnectionIndex();
        assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(first);
        assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(first);
    }

    @Test
    void oneFanOutCannotTakeEverySlot() throws Exception {
        client(ScrapeSettings.defaults().withConcurrency(2, 2, 1));
        MockWebServer slow1 = server();
        MockWebServer slow2 = server();
        MockWebServer other = server();
        slow1.enqueue(new MockResponse.Builder().headersDelay(20, TimeUnit.SECONDS).body("late\n").build());
        slow2.enqueue(new MockResponse.Builder().headersDelay(20, TimeUnit.SECONDS).body("late\n").build());
        other.enqueue(ok("other app\n"));

        // Without the per-request limit the big fan-out would hold both slots for its whole 20 s
        // deadline and the small one would time out after 5 s.
        client.scrape(List.of(target("0", slow1), target("1", slow2)),
                new ScrapeRequest(ForwardedHeaders.NONE, Duration.ofSeconds(20)));
        List<ScrapeOutcome<String>> small = scrape(List.of(target("0", other)), Duration.ofSeconds(5));

        assertThat(body(small.get(0))).isEqualTo("other app\n");
        assertThat(gauge("promfetcher_instance_scrapes_in_flight")).isEqualTo(1);
        assertThat(gauge("promfetcher_instance_scrapes_waiting")).isEqualTo(1);
    }

    @Test
    void aScrapeStillWaitingForASlotAtTheDeadlineTimesOut() throws Exception {
        client(ScrapeSettings.defaults().withConcurrency(1, 1, 1));
        MockWebServer slow = server();
        MockWebServer never = server();
        slow.enqueue(new MockResponse.Builder().headersDelay(20, TimeUnit.SECONDS).body("late\n").build());
        never.enqueue(ok(EXPOSITION));

        List<ScrapeOutcome<String>> outcomes = scrape(List.of(target("0", slow), target("1", never)), Duration.ofMillis(800));

        assertThat(failure(outcomes.get(0)).reason().label()).isEqualTo("timeout");
        assertThat(failure(outcomes.get(1)).reason().label()).isEqualTo("timeout");
        assertThat(failure(outcomes.get(1)).detail()).contains("waiting for a connection slot");
        assertThat(never.getRequestCount()).isZero();
        assertThat(gauge("promfetcher_instance_scrapes_waiting")).isZero();
    }

    @Test
    void hugeFanOutsPastTheirDeadlineAreDroppedWithoutHoldingUpAnyoneElse() throws Exception {
        client(ScrapeSettings.defaults());
        int closedPort = FreePort.find();
        MockWebServer small = server();
        small.enqueue(ok("small app\n"));
        // 4 callers × 20,000 instances on closed ports (200 addresses × 100), 1 s deadlines: the
        // shape that used to freeze every event loop for 44 s while queued scrapes were released
        // one by one, each scanning the whole queue under one lock.
        List<CompletableFuture<List<ScrapeOutcome<String>>>> big = new ArrayList<>();
        for (int caller = 0; caller < 4; caller++) {
            List<ScrapeTarget<String>> targets = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                targets.add(ScrapeTarget.http(caller + "/" + i, "127.0." + (1 + i % 200) + ".1", closedPort, ROUTE_HOST));
            }
            big.add(client.scrape(targets, new ScrapeRequest(ForwardedHeaders.NONE, Duration.ofSeconds(1))));
        }
        long start = System.nanoTime();
        List<ScrapeOutcome<String>> answer = scrape(List.of(target("0", small)), Duration.ofSeconds(10));

        assertThat(body(answer.get(0))).isEqualTo("small app\n");
        for (CompletableFuture<List<ScrapeOutcome<String>>> fanOut : big) {
            // A liveness bound (a frozen gateway took minutes), not a speed measurement.
            List<ScrapeOutcome<String>> outcomes = fanOut.get(15, TimeUnit.SECONDS);
            assertThat(outcomes).hasSize(20_000).allMatch(o -> o instanceof ScrapeOutcome.Failure<String> f
                    && (f.reason().equals(FailureReason.TIMEOUT) || f.reason().equals(FailureReason.CONNECT)));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(gauge("promfetcher_instance_scrapes_waiting")).isZero();
        assertThat(gauge("promfetcher_instance_scrapes_in_flight")).isZero();
    }

    @Test
    void scrapesWaitingInAnInstancesLineAllGetTheirTurn() throws Exception {
        client(ScrapeSettings.defaults().withConcurrency(1, 100, 3));
        MockWebServer shared = server();
        MockWebServer own = server();
        for (int i = 0; i < 6; i++) {
            shared.enqueue(new MockResponse.Builder().headersDelay(50, TimeUnit.MILLISECONDS).body("shared\n").build());
        }
        own.enqueue(ok("own\n"));

        // Two fan-outs share one instance limited to one connection: each waits in its line, none is forgotten.
        CompletableFuture<List<ScrapeOutcome<String>>> first = client.scrape(
                List.of(target("a", shared), target("b", shared), target("c", shared)),
                new ScrapeRequest(ForwardedHeaders.NONE, Duration.ofSeconds(20)));
        List<ScrapeOutcome<String>> second = scrape(List.of(target("d", shared), target("e", own), target("f", shared),
                target("g", shared)), Duration.ofSeconds(20));

        assertThat(first.get(20, TimeUnit.SECONDS)).allMatch(o -> o instanceof ScrapeOutcome.Success);
        assertThat(second).allMatch(o -> o instanceof ScrapeOutcome.Success);
        assertThat(shared.getRequestCount()).isEqualTo(6);
        assertThat(gauge("promfetcher_instance_scrapes_waiting")).isZero();
    }

    @Test
    void aReusedConnectionTheInstanceClosedIsRetriedOnANewOne() throws Exception {
        client(ScrapeSettings.defaults());
        // Answers the first request of each connection and closes on the second without a word:
        // what an instance closing an idle keep-alive connection looks like when it races our request.
        RawInstance instance = raw((n, out) -> {
            if (n > 0) {
                return false;
            }
            out.write(RawInstance.ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nup 1\n"));
            return true;
        });

        String first = body(scrape(List.of(target("0", instance.port())), Duration.ofSeconds(10)).get(0));
        String second = body(scrape(List.of(target("0", instance.port())), Duration.ofSeconds(10)).get(0));

        assertThat(first).isEqualTo("up 1\n");
        assertThat(second).isEqualTo("up 1\n");
        assertThat(instance.connections()).isEqualTo(2);
    }

    @Test
    void anInvalidResponseGivesConnectAndOversizedHeadersGiveTooLarge() throws Exception {
        client(ScrapeSettings.defaults());
        RawInstance garbage = raw((n, out) -> {
            out.write(RawInstance.ascii("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
            return true;
        });
        RawInstance hugeHeaders = raw((n, out) -> {
            out.write(RawInstance.ascii("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(ConnectionPool.MAX_RESPONSE_HEADER_SIZE + 10)
                    + "\r\nContent-Length: 0\r\n\r\n"));
            return true;
        });

        List<ScrapeOutcome<String>> outcomes = scrape(
                List.of(target("0", garbage.port()), target("1", hugeHeaders.port())), Duration.ofSeconds(10));

        assertThat(failure(outcomes.get(0)).reason().label()).isIn("connect");
        assertThat(failure(outcomes.get(1)).reason().label()).isEqualTo("too_large");
    }

    @Test
    void aStatusCodeOutside100To599GivesHttpInvalid() throws Exception {
        client(ScrapeSettings.defaults());
        RawInstance odd = raw((n, out) -> {
            out.write(RawInstance.ascii("HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\nno"));
            return true;
        });

        ScrapeOutcome.Failure<String> failure = failure(scrape(List.of(target("0", odd.port())), Duration.ofSeconds(10)).get(0));

        assertThat(failure.reason().label()).isEqualTo("http_invalid");
        assertThat(failure.detail()).contains("600");
    }

    @Test
    void aCorruptGzipBodyGivesConnectSayingWhy() throws Exception {
        client(ScrapeSettings.defaults());
        byte[] corrupt = gzip("up 1\n".repeat(100).getBytes(StandardCharsets.UTF_8), 1);
        for (int i = 12; i < corrupt.length - 8; i++) {
            corrupt[i] ^= 0x5a;
        }
        RawInstance instance = raw((n, out) -> {
            out.write(RawInstance.ascii("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + corrupt.length + "\r\n\r\n"));
            out.write(corrupt);
            return true;
        });

        ScrapeOutcome.Failure<String> failure = failure(
                scrape(List.of(target("0", instance.port())), Duration.ofSeconds(10)).get(0));

        assertThat(failure.reason().label()).isEqualTo("connect");
        assertThat(failure.detail()).startsWith("invalid response from http://127.0.0.1:");
    }

    @Test
    void informationalAnswersAreSkippedForTheRealOne() throws Exception {
        client(ScrapeSettings.defaults());
        RawInstance instance = raw((n, out) -> {
            out.write(RawInstance.ascii("HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nup 1\n"));
            return true;
        });

        assertThat(body(scrape(List.of(target("0", instance.port())), Duration.ofSeconds(10)).get(0))).isEqualTo("up 1\n");
    }

    @Test
    void aClosedClientRefusesToScrape() throws Exception {
        client(ScrapeSettings.defaults());
        MockWebServer server = server();
        client.close();
        ScrapeOutcome.Failure<String> failure = failure(scrape(List.of(target("0", server)), Duration.ofSeconds(1)).get(0));
        assertThat(failure.reason().label()).isEqualTo("connect");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void deadlineForTakesTheCallersTimeoutMinusTheMargin() {
        client(ScrapeSettings.defaults());
        assertThat(client.deadlineFor(java.util.Optional.of("10"))).isEqualTo(Duration.ofMillis(9500));
        assertThat(client.deadlineFor(java.util.Optional.of("0.5"))).isEqualTo(Duration.ofMillis(250));
        assertThat(client.deadlineFor(java.util.Optional.empty())).isEqualTo(Duration.ofSeconds(10));
        assertThat(client.deadlineFor(java.util.Optional.of("soon"))).isEqualTo(Duration.ofSeconds(10));
        assertThat(client.deadlineFor(java.util.Optional.of("-3"))).isEqualTo(Duration.ofSeconds(10));
        assertThat(client.deadlineFor(java.util.Optional.of("NaN"))).isEqualTo(Duration.ofSeconds(10));
    }
}
