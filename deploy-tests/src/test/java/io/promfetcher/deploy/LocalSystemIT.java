package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, as a new user runs it: ./run-local brings the whole system up
 * (here on a free port range), the gateway merges the three resolvers, Prometheus ingests them
 * through /v1/sd, every dashboard panel has data and every alert rule loads; then SIGTERM (what
 * Ctrl-C amounts to) stops it all and leaves no process behind.
 */
class LocalSystemIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    @Test
    void theLocalSystemComesUpIsObservedAndStopsCleanly() throws Exception {
        int base = freeRange(16);
        ProcessBuilder builder = new ProcessBuilder("bash", "run-local")
                .directory(ShippedFiles.repository().toFile())
                .redirectErrorStream(true);
        builder.environment().put("LOCAL_PORT_BASE", Integer.toString(base));
        builder.environment().put("LOCAL_STATE_DIR", state.toString());
        builder.environment().put("RUN_LOCAL_SKIP_BUILD", "1");
        builder.environment().keySet().removeIf(k -> k.startsWith("PROMFETCHER_"));
        Process launcher = builder.start();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the launcher is gone
            }
        });
        reader.start();
        String gateway = "http://127.0.0.1:" + base;
        String prometheus = "http://127.0.0.1:" + (base + 2);
        try {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
                synchronized (output) {
                    if (!launcher.isAlive()) {
                        throw new AssertionError("run-local exited early:\n" + String.join("\n", output));
                    }
                    return output.stream().anyMatch(l -> l.startsWith("The local system is up"));
                }
            });
            synchronized (output) {
                assertThat(output).anyMatch(l -> l.contains("✔ Prometheus"))
                        .anyMatch(l -> l.contains("merged resolvers    " + gateway + "/v1/apps/thux/local/resolver/metrics"));
            }

            String merged = get(gateway + "/v1/apps/thux/local/resolver/metrics");
            for (int index = 0; index < 3; index++) {
                assertThat(merged).containsPattern("resolver_urls_resolved_total\\{[^}]*app_name=\"resolver\",index=\"" + index + "\"");
            }
            // The link farm serves its metrics on /linkfarm/metrics; run-local bound it through the
            // broker with that path, so the gateway scrapes it there (and fails on /metrics).
            synchronized (output) {
                assertThat(output).anyMatch(l -> l.contains("✔ service broker"))
                        .anyMatch(l -> l.contains("binding local-linkfarm") && l.contains("\"endpoint\":\"/linkfarm/metrics\""));
            }
            assertThat(get(gateway + "/v1/apps/thux/local/linkfarm/metrics")).contains("linkfarm_answers_total{");

            // Frontend panels need requests to show; a user would open the page.
            for (int i = 0; i < 20; i++) {
                get("http://127.0.0.1:" + (base + 12 + i % 2) + "/api/hotlist?limit=10");
            }

            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                JsonNode result = query(prometheus, "resolver_urls_resolved_total{job=\"cf-apps\"}");
                assertThat(result).hasSize(3);
                for (JsonNode series : result) {
                    JsonNode labels = series.path("metric");
                    assertThat(labels.path("organization_name").asText()).isEqualTo("thux");
                    assertThat(labels.path("space_name").asText()).isEqualTo("local");
                    assertThat(labels.path("app_name").asText()).isEqualTo("resolver");
                    assertThat(labels.path("instance").asText()).isEqualTo("127.0.0.1:" + (base + 8 + labels.path("index").asInt()));
                }
            });

            JsonNode groups = JSON.readTree(get(prometheus + "/api/v1/rules")).path("data").path("groups");
            assertThat(groups).isNotEmpty();
            for (JsonNode group : groups) {
                for (JsonNode rule : group.path("rules")) {
                    assertThat(rule.path("health").asText()).as(rule.path("name").asText()).isNotEqualTo("err");
                }
            }

            List<ShippedPromql.Panel> panels = new ArrayList<>();
            for (Path dashboard : ShippedFiles.dashboards()) {
                panels.addAll(ShippedPromql.byPanel(ShippedPromql.fromDashboard(dashboard)));
            }
            assertThat(panels).isNotEmpty();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
                // As the live page does every 2 s: latency quantiles need requests inside the rate window.
                for (int i = 0; i < 4; i++) {
                    get("http://127.0.0.1:" + (base + 12 + i % 2) + "/api/hotlist?limit=10");
                }
                List<String> empty = new ArrayList<>();
                for (ShippedPromql.Panel panel : panels) {
                    boolean data = false;
                    for (ShippedPromql.Query q : panel.queries()) {
                        data |= hasData(query(prometheus, q.promql()));
                    }
                    if (!data) {
                        empty.add(panel.source() + ": " + panel.title());
                    }
                }
                assertThat(empty).as("dashboard panels without data").isEmpty();
            });
        } finally {
            // SIGTERM, which run-local traps like Ctrl-C. Through the handle: Process.destroy()
            // would also close our end of its output.
            launcher.toHandle().destroy();
            boolean exited = launcher.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                launcher.destroyForcibly();
            }
            reader.join(5000);
            assertThat(exited).as("run-local stops within 90 s").isTrue();
            assertThat(launcher.exitValue()).isZero();
            for (String line : Files.readAllLines(state.resolve("pids"))) {
                long pid = Long.parseLong(line.split(" ")[0]);
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("left running: " + line).isFalse();
            }
        }
    }

    private static boolean hasData(JsonNode result) {
        for (JsonNode series : result) {
            String value = series.path("value").path(1).asText();
            if (!value.equals("NaN")) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode query(String prometheus, String promql) throws Exception {
        JsonNode answer = JSON.readTree(get(prometheus + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        assertThat(answer.path("status").asText()).as(promql + ": " + answer).isEqualTo("success");
        return answer.path("data").path("result");
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    /** A run of free loopback ports, so the test never collides with a developer's own local system. */
    private static int freeRange(int size) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 60000);
            boolean free = true;
            for (int p = base; p < base + size && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no free run of " + size + " ports");
    }
}
