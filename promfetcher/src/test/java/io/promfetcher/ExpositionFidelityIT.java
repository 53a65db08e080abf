package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.exposition.FidelityCases;
import io.promfetcher.exposition.TargetLabels;
import io.promfetcher.routes.Announcements;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.PrometheusServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The differential harness of issue 15: a real Prometheus (Debian's 2.42) scrapes every fidelity
 * case twice, directly from the instances and through the gateway (a real nats-server announcing
 * them, the gateway in this JVM), and must store the same: {@code up}, the series (less the
 * target labels the gateway adds) and their values. Prometheus' own parsers are the oracle: where
 * it keeps a series scraping an instance, the gateway must keep it; where it refuses an instance,
 * the gateway refuses it too (reason {@code parse}). Cases marked {@code lenient} are the
 * documented ones where the gateway reads what a newer Prometheus reads and 2.42 refuses.
 *
 * <p>Two servers run the same cases: one as Prometheus 2.42 scrapes by default (OpenMetrics
 * preferred), one with {@code --enable-feature=native-histograms} (protobuf preferred), so every
 * case also crosses the gateway's protobuf writer. Cases: {@link FidelityCases#all()}.
 */
class ExpositionFidelityIT {
    private static final String ONE = Announcements.guid("fidelity-one");
    private static final String TWO = Announcements.guid("fidelity-two");
    private static final Set<String> PROMETHEUS_OWN = Set.of("up", "scrape_duration_seconds",
            "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added");
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<FidelityCases.Case> cases;
    static NatsServer nats;
    static Connection publisher;
    static InProcessGateway gateway;
    static final List<HttpServer> instances = new ArrayList<>();
    static PrometheusServer classic;
    static PrometheusServer nativeHistograms;

    @BeforeAll
    static void start() throws Exception {
        cases = FidelityCases.all();
        for (int s = 0; s < 3; s++) {
            instances.add(caseServer(s));
        }
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        gateway = InProcessGateway.start(nats.url(), Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "500ms",
                "PROMFETCHER_HTTP_MAX_CONCURRENT_REQUESTS", "512"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            announce(ONE, "fidelity-one", 0, port(0));
            announce(TWO, "fidelity-two", 0, port(1));
            announce(TWO, "fidelity-two", 1, port(2));
            String routes = GatewayProcess.get(gateway.api + "/routes", Map.of()).body();
            return gateway.gateway.health().ready() && routes.contains("127.0.0.1:" + port(0) + "\"")
                    && routes.contains("127.0.0.1:" + port(1) + "\"") && routes.contains("127.0.0.1:" + port(2) + "\"");
        });
        String config = config();
        classic = new PrometheusServer(config);
        nativeHistograms = new PrometheusServer(config, List.of("--enable-feature=native-histograms"));
        classic.start();
        nativeHistograms.start();
        int targets = cases.stream().mapToInt(c -> c.instances().size() + 1).sum();
        for (PrometheusServer prometheus : List.of(classic, nativeHistograms)) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> scalar(prometheus, "count(up)") >= targets);
        }
        // Two more scrapes of every job: on a loaded machine one scrape may time out, and up
        // is compared as "some scrape succeeded" (max_over_time), both ways alike.
        Thread.sleep(Duration.ofSeconds(11).toMillis());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {classic, nativeHistograms, gateway, publisher, nats}) {
            if (c != null) {
                c.close();
            }
        }
        instances.forEach(s -> s.stop(0));
    }

    @Test
    void prometheusKeepsThroughTheGatewayWhatItKeepsScrapingTheInstances() {
        assertThat(differences(classic, "classic", false)).isEmpty();
    }

    @Test
    void soItDoesWithNativeHistogramsEnabledWhenItAsksForProtobuf() {
        assertThat(differences(nativeHistograms, "native-histograms", true)).isEmpty();
    }

    /**
     * Every case where the two scrapes disagree, described; empty when they all agree. Each
     * case's outcome is also written to target/fidelity-NAME.txt, to read what Prometheus did.
     */
    private static List<String> differences(PrometheusServer prometheus, String name, boolean withNativeHistograms) {
        List<String> problems = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        Map<String, String> errors = new TreeMap<>();
        for (JsonNode target : api(prometheus, "/api/v1/targets").path("activeTargets")) {
            if (!target.path("lastError").asText().isEmpty()) {
                errors.merge(target.path("labels").path("job").asText(), target.path("lastError").asText(),
                        (a, b) -> a + "; " + b);
            }
        }
        for (int n = 0; n < cases.size(); n++) {
            FidelityCases.Case c = cases.get(n);
            report.append(c.name()).append(": up directly ").append(ups(prometheus, "direct_" + n))
                    .append(", through the gateway ").append(ups(prometheus, "gateway_" + n));
            for (String job : List.of("direct_" + n, "gateway_" + n)) {
                if (errors.containsKey(job)) {
                    report.append("\n    ").append(job.replaceAll("_.*", "")).append(": ").append(errors.get(job));
                }
            }
            report.append('\n');
            List<String> found = compare(prometheus, n, c, withNativeHistograms);
            if (!found.isEmpty()) {
                problems.add(c.name() + " (" + c.source() + "): " + String.join("; ", found) + gatewayAnswer(n, c));
            }
        }
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("target", "fidelity-" + name + ".txt"), report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return problems;
    }

    private static List<String> compare(PrometheusServer prometheus, int n, FidelityCases.Case c,
            boolean withNativeHistograms) {
        List<String> found = new ArrayList<>();
        List<String> directUp = ups(prometheus, "direct_" + n);
        List<String> gatewayUp = ups(prometheus, "gateway_" + n);
        boolean anyDirectUp = directUp.contains("1");
        boolean gatewayIsUp = gatewayUp.equals(List.of("1"));
        if (!withNativeHistograms && c.lenientWithoutNativeHistograms().isPresent()) {
            // Prometheus without native histograms refuses or misreads them directly; it never
            // asks for protobuf, so the gateway gives it classic series instead.
            if (!gatewayIsUp) {
                found.add("gateway refused: up " + gatewayUp);
            }
            return found;
        }
        if (c.lenient().isPresent()) {
            if (anyDirectUp) {
                found.add("marked lenient (" + c.lenient().get() + ") but Prometheus scrapes it directly: up " + directUp);
            }
            if (!gatewayIsUp) {
                found.add("lenient case refused by the gateway: up " + gatewayUp);
            }
            return found;
        }
        if (anyDirectUp != gatewayIsUp) {
            found.add("up directly " + directUp + ", through the gateway " + gatewayUp);
            return found;
        }
        if (!anyDirectUp) {
            return found;
        }
        Set<String> direct = series(prometheus, "direct_" + n, false);
        Set<String> through = series(prometheus, "gateway_" + n, true);
        Set<String> lost = new TreeSet<>(direct);
        lost.removeAll(through);
        Set<String> added = new TreeSet<>(through);
        added.removeAll(direct);
        if (!lost.isEmpty()) {
            found.add("lost through the gateway: " + lost);
        }
        if (!added.isEmpty()) {
            found.add("only through the gateway: " + added);
        }
        Map<String, String> directValues = values(prometheus, "direct_" + n, false);
        Map<String, String> gatewayValues = values(prometheus, "gateway_" + n, true);
        for (Map.Entry<String, String> e : directValues.entrySet()) {
            String other = gatewayValues.get(e.getKey());
            if (other != null && !other.equals(e.getValue())) {
                found.add(e.getKey() + " is " + e.getValue() + " directly, " + other + " through the gateway");
            }
        }
        return found;
    }

    /** Whether some scrape of each of a job's targets succeeded (1) or none did (0), in target order. */
    private static List<String> ups(PrometheusServer prometheus, String job) {
        JsonNode result = api(prometheus, "/api/v1/query?query=" + encode("max_over_time(up{job=\"" + job + "\"}[5m])"));
        List<String> ups = new ArrayList<>();
        TreeMap<String, String> byInstance = new TreeMap<>();
        for (JsonNode r : result) {
            byInstance.put(r.path("metric").path("instance").asText(), r.path("value").path(1).asText());
        }
        ups.addAll(byInstance.values());
        return ups;
    }

    /** Every series the job ever stored (old explicit timestamps included), as comparable strings. */
    private static Set<String> series(PrometheusServer prometheus, String job, boolean throughGateway) {
        JsonNode result = api(prometheus, "/api/v1/series?match[]=" + encode("{job=\"" + job + "\"}"));
        Set<String> out = new TreeSet<>();
        for (JsonNode labels : result) {
            String key = key(labels, throughGateway);
            if (key != null) {
                out.add(key);
            }
        }
        return out;
    }

    /** The job's current values (samples within the lookback), by series. */
    private static Map<String, String> values(PrometheusServer prometheus, String job, boolean throughGateway) {
        JsonNode result = api(prometheus, "/api/v1/query?query=" + encode("{job=\"" + job + "\"}"));
        Map<String, String> out = new TreeMap<>();
        for (JsonNode r : result) {
            String key = key(r.path("metric"), throughGateway);
            if (key != null) {
                out.put(key, r.has("histogram") ? r.path("histogram").path(1).toString() : r.path("value").path(1).asText());
            }
        }
        return out;
    }

    /**
     * A series as {@code name{label="value",...}}, without Prometheus' own series, the job, and
     * (through the gateway) the target labels other than {@code instance}, which is the
     * instance's host:port both ways; an app label the gateway kept as {@code exported_<name>}
     * gets its name back. Null for series to leave out of the comparison.
     */
    private static String key(JsonNode labels, boolean throughGateway) {
        Map<String, String> map = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), e.getValue().asText());
        }
        if (PROMETHEUS_OWN.contains(map.get("__name__"))) {
            return null;
        }
        map.remove("job");
        if (throughGateway) {
            for (String name : TargetLabels.NAMES) {
                if (!name.equals("instance")) {
                    map.remove(name);
                }
            }
            boolean renamed = true;
            while (renamed) {
                renamed = false;
                for (String name : List.copyOf(map.keySet())) {
                    String original = name.substring(Math.min(name.length(), "exported_".length()));
                    if (name.startsWith("exported_") && !original.equals("instance")
                            && TargetLabels.NAMES.contains(original.replaceFirst("^(exported_)+", ""))
                            && !map.containsKey(original)) {
                        map.put(original, map.remove(name));
                        renamed = true;
                    }
                }
            }
        }
        String name = map.remove("__name__");
        StringBuilder b = new StringBuilder(name);
        b.append('{');
        map.forEach((k, v) -> b.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")
                .replace("\n", "\\n")).append("\","));
        return b.append('}').toString();
    }

    /** What the gateway answers for the case, shortened: helps read a failure. */
    private static String gatewayAnswer(int n, FidelityCases.Case c) {
        try {
            HttpResponse<String> response = GatewayProcess.get(gateway.api + "/v1/apps/" + app(c)
                    + "/only-app-metrics?metric_path=/c/" + n, Map.of("Accept", "application/openmetrics-text;version=1.0.0"));
            String body = response.body();
            return "\n    gateway answers " + response.statusCode() + ": "
                    + (body.length() > 600 ? body.substring(0, 600) + "…" : body).replace("\n", "\n      ");
        } catch (Exception e) {
            return "\n    (gateway answer unavailable: " + e + ")";
        }
    }

    private static String config() {
        StringBuilder b = new StringBuilder("global:\n  scrape_interval: 5s\n  scrape_timeout: 4s\nscrape_configs:\n");
        String gatewayTarget = gateway.api.substring("http://".length());
        for (int n = 0; n < cases.size(); n++) {
            FidelityCases.Case c = cases.get(n);
            List<String> targets = new ArrayList<>();
            for (int k = 0; k < c.instances().size(); k++) {
                targets.add("'127.0.0.1:" + port(server(c, k)) + "'");
            }
            b.append("  - job_name: direct_").append(n).append("\n    metrics_path: /c/").append(n)
                    .append("\n    static_configs:\n      - targets: [").append(String.join(", ", targets)).append("]\n");
            b.append("  - job_name: gateway_").append(n).append("\n    honor_labels: true\n    metrics_path: /v1/apps/")
                    .append(app(c)).append("/only-app-metrics\n    params:\n      metric_path: ['/c/").append(n)
                    .append("']\n    static_configs:\n      - targets: ['").append(gatewayTarget).append("']\n");
        }
        return b.toString();
    }

    private static String app(FidelityCases.Case c) {
        return c.instances().size() == 1 ? ONE : TWO;
    }

    /** Which of the three servers is instance k of the case: 0 for one-instance cases, 1 and 2 for pairs. */
    private static int server(FidelityCases.Case c, int k) {
        return c.instances().size() == 1 ? 0 : 1 + k;
    }

    /**
     * Case server s (an instance of app ONE for s = 0, of app TWO for s = 1, 2): /c/N answers
     * the case's body for that instance (an endpoint belongs to one app, so the apps need their own).
     */
    private static HttpServer caseServer(int s) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/c/", exchange -> {
            int n = Integer.parseInt(exchange.getRequestURI().getPath().substring(3));
            List<FidelityCases.Body> bodies = cases.get(n).instances();
            int k = s == 0 ? 0 : s - 1;
            if ((s == 0) != (bodies.size() == 1) || k >= bodies.size()) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            FidelityCases.Body body = bodies.get(k);
            if (!body.contentType().isEmpty()) {
                exchange.getResponseHeaders().set("Content-Type", body.contentType());
            }
            exchange.sendResponseHeaders(200, body.bytes().length == 0 ? -1 : body.bytes().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body.bytes());
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    private static int port(int k) {
        return instances.get(k).getAddress().getPort();
    }

    private static void announce(String guid, String app, int index, int port) throws Exception {
        String json = Announcements.appInstance("fidelity", "cases", app, guid, Announcements.guid(guid + "/" + index),
                Integer.toString(index), "127.0.0.1", port, 0, app + ".apps.example.com");
        publisher.publish("router.register", Announcements.bytes(json));
        publisher.flush(Duration.ofSeconds(2));
    }

    private static double scalar(PrometheusServer prometheus, String promql) {
        JsonNode result = api(prometheus, "/api/v1/query?query=" + encode(promql));
        return result.isEmpty() ? 0 : result.get(0).path("value").path(1).asDouble();
    }

    private static JsonNode api(PrometheusServer prometheus, String pathAndQuery) {
        try {
            JsonNode answer = JSON.readTree(prometheus.get(pathAndQuery));
            JsonNode data = answer.path("data");
            return data.has("result") ? data.path("result") : data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
