package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.routes.Announcements;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.PrometheusServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Native histograms end to end: two instances instrumented with client_java's
 * prometheus-metrics-core (a native histogram, and one with classic buckets too) answer as
 * client_java does (its writer chosen from the Accept header); a real Prometheus 2.42 with
 * {@code --enable-feature=native-histograms} scrapes the app through the gateway, and the
 * instances directly; histogram_count() and histogram_quantile() agree with the instances' own
 * numbers and with the direct scrape.
 */
class NativeHistogramsIT {
    private static final String APP = Announcements.guid("native-histograms");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Observations of instance i: 1..COUNT[i] milliseconds. */
    private static final int[] COUNT = {1000, 400};

    static NatsServer nats;
    static Connection publisher;
    static InProcessGateway gateway;
    static final List<HttpServer> instances = new ArrayList<>();
    static PrometheusServer prometheus;

    @BeforeAll
    static void start() throws Exception {
        for (int i = 0; i < COUNT.length; i++) {
            instances.add(instance(COUNT[i]));
        }
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        gateway = InProcessGateway.start(nats.url(), Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "500ms"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (int i = 0; i < instances.size(); i++) {
                String json = Announcements.appInstance("o", "s", "nh-app", APP, Announcements.guid(APP + "/" + i),
                        Integer.toString(i), "127.0.0.1", port(i), 0, "nh-app.apps.example.com");
                publisher.publish("router.register", Announcements.bytes(json));
            }
            publisher.flush(Duration.ofSeconds(2));
            String routes = GatewayProcess.get(gateway.api + "/routes", Map.of()).body();
            return routes.contains("127.0.0.1:" + port(0) + "\"") && routes.contains("127.0.0.1:" + port(1) + "\"");
        });
        String config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                + "  - job_name: gateway\n    honor_labels: true\n    metrics_path: /v1/apps/" + APP + "/metrics\n"
                + "    static_configs:\n      - targets: ['" + gateway.api.substring("http://".length()) + "']\n"
                + "  - job_name: direct\n    static_configs:\n      - targets: ['127.0.0.1:" + port(0) + "', '127.0.0.1:"
                + port(1) + "']\n";
        prometheus = new PrometheusServer(config, List.of("--enable-feature=native-histograms"));
        prometheus.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                result("count(histogram_count(rpc_seconds{job=\"gateway\"}))").equals("2")
                        && result("count(histogram_count(rpc_seconds{job=\"direct\"}))").equals("2"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {prometheus, gateway, publisher, nats}) {
            if (c != null) {
                c.close();
            }
        }
        instances.forEach(s -> s.stop(0));
    }

    @Test
    void histogramCountThroughTheGatewayIsEachInstancesOwnCount() {
        for (int i = 0; i < COUNT.length; i++) {
            String selector = "{job=\"gateway\",instance=\"127.0.0.1:" + port(i) + "\",index=\"" + i + "\",app_name=\"nh-app\"}";
            assertThat(result("histogram_count(rpc_seconds" + selector + ")")).isEqualTo(Integer.toString(COUNT[i]));
            assertThat(Double.parseDouble(result("histogram_sum(rpc_seconds" + selector + ")")))
                    .isCloseTo(COUNT[i] * (COUNT[i] + 1) / 2 / 1000.0, org.assertj.core.data.Offset.offset(1e-6));
            // Classic buckets sent beside the native ones are not ingested when native ones are
            // (Prometheus 2.42), through the gateway as directly.
            assertThat(result("count(rpc_classic_seconds_bucket" + selector + ")"))
                    .isEqualTo(result("count(rpc_classic_seconds_bucket{job=\"direct\",instance=\"127.0.0.1:" + port(i) + "\"})"));
        }
    }

    @Test
    void histogramQuantileThroughTheGatewayAgreesWithTheInstanceScrapedDirectly() {
        for (int i = 0; i < COUNT.length; i++) {
            for (String q : List.of("0.5", "0.9", "0.99")) {
                String through = result("histogram_quantile(" + q + ", rpc_seconds{job=\"gateway\",instance=\"127.0.0.1:"
                        + port(i) + "\"})");
                String direct = result("histogram_quantile(" + q + ", rpc_seconds{job=\"direct\",instance=\"127.0.0.1:"
                        + port(i) + "\"})");
                assertThat(through).as("quantile " + q + " of instance " + i).isEqualTo(direct);
                // And near the instance's true quantile (native buckets of schema 5+ are ~2% wide).
                double truth = Double.parseDouble(q) * COUNT[i] / 1000.0;
                assertThat(Double.parseDouble(through)).isCloseTo(truth, org.assertj.core.data.Percentage.withPercentage(5));
            }
            assertThat(result("histogram_count(rpc_classic_seconds{job=\"gateway\",instance=\"127.0.0.1:" + port(i) + "\"})"))
                    .isEqualTo(Integer.toString(COUNT[i]));
        }
    }

    /** An instance with a native histogram (rpc_seconds) and a classic+native one, answering as client_java does. */
    private static HttpServer instance(int count) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        Histogram nativeOnly = Histogram.builder().name("rpc_seconds").help("RPC latency.").nativeOnly().register(registry);
        Histogram both = Histogram.builder().name("rpc_classic_seconds").help("RPC latency, classic and native.")
                .register(registry);
        for (int ms = 1; ms <= count; ms++) {
            nativeOnly.observe(ms / 1000.0);
            both.observe(ms / 1000.0);
        }
        ExpositionFormats formats = ExpositionFormats.init();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/metrics", exchange -> {
            ExpositionFormatWriter writer = formats.findWriter(exchange.getRequestHeaders().getFirst("Accept"));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            writer.write(body, registry.scrape());
            exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
            exchange.sendResponseHeaders(200, body.size());
            try (OutputStream out = exchange.getResponseBody()) {
                body.writeTo(out);
            }
        });
        server.start();
        return server;
    }

    private static int port(int i) {
        return instances.get(i).getAddress().getPort();
    }

    /** The value of an instant query with one result ("" when it has none). */
    private static String result(String promql) {
        try {
            JsonNode r = JSON.readTree(prometheus.query(promql)).path("data").path("result");
            return r.isEmpty() ? "" : r.get(0).path("value").path(1).asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
