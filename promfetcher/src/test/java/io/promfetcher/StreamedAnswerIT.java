package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.routes.Announcements;
import io.promfetcher.testkit.NatsServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The merged answer is streamed (issue 13, item 2): HTTP chunks, gzip once over the whole body,
 * HTTP/1.0 and HEAD callers, keep-alive and pipelining in order, and a caller that stops reading
 * holds its bodies plus a window of the output — never the whole output — until
 * {@code http.idle_timeout} closes it and gives everything back.
 *
 * <p>The app has {@value #INSTANCES} instances of node_exporter's exposition (one MockWebServer on
 * the wildcard address, announced at as many loopback addresses), so its merged output (about
 * 7 MB) is larger than what the kernel's socket buffers can absorb for a reader that stalls.
 */
class StreamedAnswerIT {
    static final String APP = "5d1f0c2b-3a4e-4b6c-8d7e-9f0a1b2c3d4e";
    static final int INSTANCES = 50;
    static final String PATH = "/v1/apps/stream-org/dev/big/metrics";
    static final byte[] NODE_EXPORTER = corpus("node-exporter-1.5.txt");

    static NatsServer nats;
    static Connection publisher;
    static InProcessGateway gateway;
    static int apiPort;
    static MockWebServer instances;

    @BeforeAll
    static void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        gateway = InProcessGateway.start(nats.url(), Map.of("PROMFETCHER_HTTP_IDLE_TIMEOUT", "2s"));
        apiPort = Integer.parseInt(gateway.api.substring(gateway.api.lastIndexOf(':') + 1));
        instances = new MockWebServer();
        instances.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().addHeader("Content-Type", "text/plain; version=0.0.4")
                        .body(new okio.Buffer().write(NODE_EXPORTER)).build();
            }
        });
        instances.start(InetAddress.getByName("0.0.0.0"), 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (int i = 0; i < INSTANCES; i++) {
                String json = Announcements.appInstance("stream-org", "dev", "big", APP, Announcements.guid(APP + "/" + i),
                        Integer.toString(i), "127.0.0." + (i + 1), instances.getPort(), 0, "big.apps.example.com");
                publisher.publish("router.register", Announcements.bytes(json));
            }
            publisher.flush(Duration.ofSeconds(2));
            return gateway.gateway.health().ready()
                    && GatewayProcess.get(gateway.api + "/routes", Map.of()).body().contains("127.0.0." + INSTANCES + ":");
        });
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        instances.close();
        publisher.close();
        nats.close();
    }

    @Test
    void gzipIsAppliedOnceOverTheWholeChunkedBody() throws Exception {
        Answer plain = exchange("GET " + PATH + " HTTP/1.1\r\nHost: x\r\n\r\n", 1).get(0);
        Answer gzip = exchange("GET " + PATH + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n", 1).get(0);

        assertThat(plain.status).isEqualTo(200);
        assertThat(plain.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(plain.header("content-encoding")).isNull();
        assertThat(plain.chunks).as("sent in chunks as it was made").isGreaterThan(10);
        assertThat(gzip.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(gzip.header("content-encoding")).isEqualTo("gzip");
        assertThat(gzip.body.length).as("compressed").isLessThan(plain.body.length / 5);

        byte[] unzipped = gunzipOneMember(gzip.body);
        assertThat(withoutDurations(unzipped)).isEqualTo(withoutDurations(plain.body));
        String text = new String(plain.body, StandardCharsets.UTF_8);
        for (int i = 0; i < INSTANCES; i++) {
            assertThat(text).contains("promfetcher_scrape_up{organization_id=");
            assertThat(text).contains("instance=\"127.0.0." + (i + 1) + ":" + instances.getPort() + "\"} 1\n");
        }
        // Every instance's samples: node_exporter's sample lines, once per instance.
        assertThat(text.lines().filter(l -> l.startsWith("node_cpu_seconds_total{")).count())
                .isEqualTo(INSTANCES * sampleLines("node_cpu_seconds_total{"));
    }

    @Test
    void anHttp10CallerGetsTheBodyUntilTheConnectionCloses() throws Exception {
        Answer plain = exchange("GET " + PATH + " HTTP/1.1\r\nHost: x\r\n\r\n", 1).get(0);
        Answer old = exchange("GET " + PATH + " HTTP/1.0\r\n\r\n", 1).get(0);

        assertThat(old.status).isEqualTo(200);
        assertThat(old.header("transfer-encoding")).isNull();
        assertThat(old.header("connection")).isEqualTo("close");
        assertThat(old.closed).isTrue();
        assertThat(withoutDurations(old.body)).isEqualTo(withoutDurations(plain.body));
    }

    @Test
    void headIsAnsweredWithoutABodyAndTheConnectionServesTheNextRequest() throws Exception {
        List<Answer> answers = exchange("HEAD " + PATH + " HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2);

        assertThat(answers.get(0).status).isEqualTo(200);
        assertThat(answers.get(0).body).isEmpty();
        assertThat(answers.get(1).status).isEqualTo(200);
    }

    @Test
    void pipelinedStreamedAnswersComeBackInOrderOnOneConnection() throws Exception {
        List<Answer> answers = exchange("GET " + PATH + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET " + PATH + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3);

        assertThat(answers).extracting(a -> a.status).containsExactly(200, 404, 200);
        assertThat(new String(gunzipOneMember(answers.get(0).body), StandardCharsets.UTF_8)).contains("127.0.0." + INSTANCES + ":");
        assertThat(new String(answers.get(2).body, StandardCharsets.UTF_8)).contains("127.0.0." + INSTANCES + ":");
    }

    @Test
    void aStalledReaderHoldsAWindowNotTheOutputAndIsClosedAfterTheIdleTimeout() throws Exception {
        byte[] whole = exchange("GET " + PATH + " HTTP/1.1\r\nHost: x\r\n\r\n", 1).get(0).body;
        long output = whole.length;
        long bodies = (long) INSTANCES * NODE_EXPORTER.length;
        await().atMost(Duration.ofSeconds(10)).until(() -> budgetUsed() == 0);

        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096); // before connecting: the window the kernel advertises stays small
            stalled.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), apiPort));
            stalled.getOutputStream().write(("GET " + PATH + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            stalled.getOutputStream().flush();

            // The body is parked: the budget holds the bodies and a window, and stays there.
            await().atMost(Duration.ofSeconds(10)).until(() -> budgetUsed() > bodies / 2);
            Thread.sleep(300);
            long held = budgetUsed();
            assertThat(held).as("held while the reader stalls (output %d bytes, bodies %d)", output, bodies)
                    .isPositive().isLessThan(bodies + output / 2);
            // Other callers are still served meanwhile.
            assertThat(GatewayProcess.get(gateway.api + "/health", Map.of()).statusCode()).isEqualTo(200);

            // No progress for http.idle_timeout (2 s): closed, and everything given back.
            await().atMost(Duration.ofSeconds(15)).until(() -> budgetUsed() == 0);
            stalled.setSoTimeout(5000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                stalled.getInputStream().transferTo(got);
            } catch (IOException reset) {
                // closed by the gateway with its bytes unread: as good as the end of the stream
            }
            assertThat((long) got.size()).as("cut short").isLessThan(output);
            assertThat(got.toString(StandardCharsets.ISO_8859_1)).doesNotEndWith("\r\n0\r\n\r\n");
        }
        // And the gateway serves the app as before.
        assertThat(withoutDurations(exchange("GET " + PATH + " HTTP/1.1\r\nHost: x\r\n\r\n", 1).get(0).body))
                .isEqualTo(withoutDurations(whole));
    }

    // ---- helpers ----

    /** One HTTP response as read off the socket (chunked bodies decoded). */
    record Answer(int status, Map<String, String> headers, byte[] body, int chunks, boolean closed) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends {@code requests} at once on one connection and reads {@code count} answers. */
    static List<Answer> exchange(String requests, int count) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), apiPort)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            List<Answer> answers = new ArrayList<>();
            boolean head = requests.startsWith("HEAD ");
            for (int i = 0; i < count; i++) {
                answers.add(read(in, head && i == 0));
            }
            return answers;
        }
    }

    private static Answer read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h; !(h = line(in)).isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head) {
            return new Answer(status, headers, new byte[0], 0, false);
        }
        if ("chunked".equals(headers.get("transfer-encoding"))) {
            int chunks = 0;
            while (true) {
                int size = Integer.parseInt(line(in).trim(), 16);
                if (size == 0) {
                    line(in);
                    return new Answer(status, headers, body.toByteArray(), chunks, false);
                }
                body.write(in.readNBytes(size));
                line(in);
                chunks++;
            }
        }
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            return new Answer(status, headers, body.toByteArray(), 0, false);
        }
        in.transferTo(body); // neither: the body ends with the connection
        return new Answer(status, headers, body.toByteArray(), 0, true);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed mid-answer after " + line);
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * A gzip body of exactly one member (one compressor for the whole answer, not one per chunk):
     * the 10-byte header, one deflate stream, the 8-byte trailer, nothing after it.
     */
    private static byte[] gunzipOneMember(byte[] gzip) throws Exception {
        assertThat(gzip[0] & 0xff).isEqualTo(0x1f);
        assertThat(gzip[1] & 0xff).isEqualTo(0x8b);
        assertThat(gzip[3]).as("no optional header fields").isZero();
        java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
        inflater.setInput(gzip, 10, gzip.length - 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        while (!inflater.finished()) {
            int n = inflater.inflate(buffer);
            assertThat(n > 0 || !inflater.needsInput()).as("deflate stream ends before the body does").isTrue();
            out.write(buffer, 0, n);
        }
        assertThat(inflater.getRemaining()).as("only the trailer after the one deflate stream").isEqualTo(8);
        inflater.end();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            assertThat(in.readAllBytes()).isEqualTo(out.toByteArray()); // and the trailer's CRC and length check out
        }
        return out.toByteArray();
    }

    /** The answer without the scrape durations, which differ from one request to the next. */
    private static String withoutDurations(byte[] body) {
        return new String(body, StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("promfetcher_scrape_duration_seconds{"))
                .reduce(new StringBuilder(), (b, l) -> b.append(l).append('\n'), StringBuilder::append).toString();
    }

    private static long sampleLines(String prefix) {
        return new String(NODE_EXPORTER, StandardCharsets.UTF_8).lines().filter(l -> l.startsWith(prefix)).count();
    }

    private static long budgetUsed() throws Exception {
        String metrics = GatewayProcess.get(gateway.api + "/metrics", Map.of()).body();
        Matcher m = Pattern.compile("(?m)^promfetcher_memory_budget_used_bytes (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("promfetcher_memory_budget_used_bytes in /metrics").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    private static byte[] corpus(String file) {
        try (InputStream in = StreamedAnswerIT.class.getResourceAsStream("/corpus/" + file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
