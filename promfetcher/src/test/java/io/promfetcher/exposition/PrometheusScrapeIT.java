package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.ServerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real Prometheus server (Debian's 2.42) scrapes merged outputs, OpenMetrics and text, from a
 * small HTTP server: promtool cannot read OpenMetrics, Prometheus can. It must ingest every
 * sample without a parse error, duplicate or out-of-order sample.
 */
class PrometheusScrapeIT {

    /** The prometheus binary with a config file, on free loopback ports. */
    static final class PrometheusServer extends ServerProcess {
        private final String config;

        PrometheusServer(String config) {
            super("prometheus", FreePort.find());
            this.config = config;
        }

        @Override
        protected List<String> command() {
            Path file = workDir().resolve("prometheus.yml");
            try {
                Files.writeString(file, config);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return List.of("prometheus", "--config.file=" + file, "--storage.tsdb.path=" + workDir().resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port());
        }
    }

    @Test
    void prometheusIngestsEverySampleOfBothOutputFormats() throws Exception {
        List<InstanceScrape> scrapes = new ArrayList<>();
        int index = 0;
        for (String file : CorpusMergeTest.FILES) {
            boolean om = CorpusMergeTest.formatOf(file) == InputFormat.OPENMETRICS_TEXT;
            for (int copy = 0; copy < 2; copy++) {
                scrapes.add(Merging.body(index++, new String(CorpusMergeTest.corpus(file), StandardCharsets.UTF_8),
                        om ? Merging.OM : Merging.TEXT));
            }
        }
        scrapes.add(new InstanceScrape.Failure(Merging.target(index), FailureReason.http(503), Duration.ofMillis(4)));
        byte[] openMetrics = Merging.merge(OutputFormat.OPENMETRICS_1_0_0, ScrapeStatus.INCLUDED, scrapes).output()
                .getBytes(StandardCharsets.UTF_8);
        byte[] text = Merging.merge(OutputFormat.TEXT_0_0_4, ScrapeStatus.INCLUDED, scrapes).output()
                .getBytes(StandardCharsets.UTF_8);

        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serve(app, "/om", openMetrics, OutputFormat.OPENMETRICS_1_0_0.contentType());
        serve(app, "/text", text, OutputFormat.TEXT_0_0_4.contentType());
        app.start();
        String target = "127.0.0.1:" + app.getAddress().getPort();
        String config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                + job("openmetrics", "/om", target) + job("text", "/text", target);
        try (PrometheusServer prometheus = new PrometheusServer(config)) {
            prometheus.start();
            HttpClient http = HttpClient.newHttpClient();
            for (String job : List.of("openmetrics", "text")) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> "1".equals(query(http, prometheus, "up{job=\"" + job + "\"}")));
            }
            assertThat(query(http, prometheus, "scrape_samples_scraped{job=\"openmetrics\"}"))
                    .isEqualTo(Integer.toString(sampleCount(InputFormat.OPENMETRICS_TEXT, openMetrics)));
            assertThat(query(http, prometheus, "scrape_samples_scraped{job=\"text\"}"))
                    .isEqualTo(Integer.toString(sampleCount(InputFormat.PROMETHEUS_TEXT, text)));
            for (String problem : List.of("prometheus_target_scrapes_sample_duplicate_timestamp_total",
                    "prometheus_target_scrapes_sample_out_of_order_total",
                    "prometheus_target_scrapes_exceeded_sample_limit_total")) {
                assertThat(query(http, prometheus, problem)).as(problem).isEqualTo("0");
            }
            // Honoured labels: the instance's host:port, not the scraped server's.
            assertThat(query(http, prometheus,
                    "count(promfetcher_scrape_up{job=\"openmetrics\",instance=\"10.0.0.0:8080\"})")).isEqualTo("1");
        } finally {
            app.stop(0);
        }
    }

    private static String job(String name, String path, String target) {
        return "  - job_name: " + name + "\n    honor_labels: true\n    metrics_path: " + path
                + "\n    static_configs:\n      - targets: ['" + target + "']\n";
    }

    private static void serve(HttpServer server, String path, byte[] body, String contentType) {
        server.createContext(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
    }

    private static int sampleCount(InputFormat format, byte[] exposition) {
        return Merging.samples(format, exposition).size();
    }

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[^,]+,\"([^\"]+)\"\\]");

    /** The value of an instant query with one result, or null when it has none yet. */
    private static String query(HttpClient http, PrometheusServer prometheus, String promql) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + prometheus.port() + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = VALUE.matcher(body);
        return m.find() ? m.group(1) : null;
    }
}
