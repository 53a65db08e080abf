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

/**
 * The README's first command, as a new user runs it: ./run-local brings the whole system up
 * (here on a free port range), prints the status page first and URLs that work with the Prometheus
 * it starts, the gateway merges the three resolvers, Prometheus ingests them through /v1/sd, every
 * dashboard panel has data and every alert rule loads, and the Redis browser shows both Redis
 * servers. A second launcher with another LOCAL_PORT_BASE runs beside it without sharing a file,
 * started from a non-interactive shell and stopped with SIGINT; the first is stopped with SIGTERM
 * (what Ctrl-C amounts to). Neither leaves a process behind.
 */
class LocalSystemIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theLocalSystemComesUpIsObservedAndStopsCleanly() throws Exception {
        int base = freeRange(16);
        Path state = ShippedFiles.repository().resolve(".local/base-" + base);
        Launcher launcher = Launcher.start(List.of("bash", "run-local"), base);
        String gateway = "http://127.0.0.1:" + base;
        String prometheus = "http://127.0.0.1:" + (base + 2);
        try {
            launcher.awaitUp();
            List<String> printed = launcher.output();
            assertThat(printed).anyMatch(l -> l.contains("✔ Prometheus"))
                    .anyMatch(l -> l.contains("merged resolvers    " + gateway + "/v1/apps/thux/local/resolver/metrics"));
            int open = printed.indexOf("The local system is up. Open:");
            assertThat(printed.get(open + 1)).as("the status page comes first").contains("status page         " + gateway + "/");
            List<String> urls = printed.subList(open + 1, printed.size()).stream().filter(l -> l.matches("  \\S.*  +http://.*"))
                    .map(l -> l.replaceAll(".*?(http://\\S+).*", "$1")).toList();
            assertThat(urls).hasSizeGreaterThan(10);
            for (String url : urls) {
                assertThat(status(url)).as(url).isEqualTo(200);
            }
            assertThat(printed).anyMatch(l -> l.contains("Prometheus graph    " + prometheus + "/classic/graph?g0.expr="));
            assertThat(Files.readString(state.resolve("prometheus.yml"))).contains("127.0.0.1:" + base + "/v1/sd");

            String page = get(gateway + "/");
            assertThat(page).contains("<title>promfetcher status</title>").contains(">resolver<").contains(">frontend<");
            assertRedisBrowserShowsBothServers(base);

            sideBySide(base);

            String merged = get(gateway + "/v1/apps/thux/local/resolver/metrics");
            for (int index = 0; index < 3; index++) {
                assertThat(merged).containsPattern("resolver_urls_resolved_total\\{[^}]*app_name=\"resolver\",index=\"" + index + "\"");
            }
            // The link farm serves its metrics on /linkfarm/metrics; run-local bound it through the
            // broker with that path, so the gateway scrapes it there (and fails on /metrics).
            assertThat(printed).anyMatch(l -> l.contains("✔ service broker"))
                    .anyMatch(l -> l.contains("binding local-linkfarm") && l.contains("\"endpoint\":\"/linkfarm/metrics\""));
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
            // SIGTERM, which run-local traps like Ctrl-C.
            if (launcher.alive()) {
                launcher.stop("TERM");
            }
            deleteTree(state);
        }
    }

    /**
     * A second launcher on another port range beside the first, as a developer with two worktrees
     * would run them: its own state folder, no file of the other's on any of its command lines,
     * its own Redis browser. It is started from a non-interactive shell (which starts background
     * commands with SIGINT ignored) and stopped with SIGINT.
     */
    private void sideBySide(int firstBase) throws Exception {
        int base = freeRange(16);
        Path first = ShippedFiles.repository().resolve(".local/base-" + firstBase);
        Path second = ShippedFiles.repository().resolve(".local/base-" + base);
        Launcher launcher = Launcher.start(List.of("bash", "-c", "bash run-local & echo \"launcher pid $!\"; wait"), base);
        try {
            launcher.awaitUp();
            assertThat(launcher.output()).anyMatch(l -> l.startsWith("State and logs: " + second + "/"));
            assertThat(get("http://127.0.0.1:" + base + "/")).contains(">resolver<");
            assertThat(get("http://127.0.0.1:" + firstBase + "/")).as("the first still answers").contains(">resolver<");
            assertRedisBrowserShowsBothServers(base);
            for (Path state : List.of(first, second)) {
                Path other = state.equals(first) ? second : first;
                int own = 0;
                for (String line : Files.readAllLines(state.resolve("pids"))) {
                    long pid = Long.parseLong(line.split(" ")[0]);
                    Path proc = Path.of("/proc", Long.toString(pid));
                    if (Files.exists(proc)) {
                        // What the process refers to: its command line, its environment (HOME) and its working
                        // folder (Redis moves into its --dir and rewrites its command line).
                        String refers = read(proc.resolve("cmdline")) + " " + read(proc.resolve("environ")) + " "
                                + Files.readSymbolicLink(proc.resolve("cwd")) + "/";
                        assertThat(refers).as(line).doesNotContain(other.toString() + "/");
                        own += refers.contains(state + "/") ? 1 : 0;
                    }
                }
                assertThat(own).as("processes using their own state folder (both Redis, Prometheus, the Redis browser)").isGreaterThanOrEqualTo(4);
            }
            assertThat(first.resolve("prometheus-data")).isDirectory();
            assertThat(second.resolve("prometheus-data")).isDirectory();
        } finally {
            if (launcher.alive()) { // else it failed on its own, and what the test saw says why
                stopWithSigint(launcher);
            }
            deleteTree(second);
        }
    }

    /** SIGINT to run-local itself (the pid its non-interactive parent shell printed), not to that shell. */
    private static void stopWithSigint(Launcher launcher) throws Exception {
        long pid = launcher.output().stream().filter(l -> l.startsWith("launcher pid ")).findFirst()
                .map(l -> Long.parseLong(l.substring("launcher pid ".length()).trim())).orElseThrow();
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
        launcher.awaitStopped();
    }

    /** redis-commander on base+14, connected to the inbox (base+4) and the hotlist (base+5), reading a hotlist key. */
    private static void assertRedisBrowserShowsBothServers(int base) throws Exception {
        String browser = "http://127.0.0.1:" + (base + 14);
        JsonNode connections = JSON.readTree(get(browser + "/connections")).path("connections");
        assertThat(connections).extracting(c -> c.path("label").asText() + "@" + c.path("options").path("port").asInt())
                .containsExactlyInAnyOrder("inbox@" + (base + 4), "hotlist@" + (base + 5));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(JSON.readTree(get(browser + "/apiv2/key/R:127.0.0.1:" + (base + 5) + ":0/url_hotlist")).path("type").asText())
                        .isEqualTo("zset"));
    }

    /** One run-local, its output collected; stopped by a signal, leaving no process behind. */
    private static final class Launcher {
        private final Process process;
        private final Path state;
        private final List<String> output = new ArrayList<>();
        private final Thread reader;

        private Launcher(Process process, Path state) {
            this.process = process;
            this.state = state;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
        }

        static Launcher start(List<String> command, int base) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(ShippedFiles.repository().toFile())
                    .redirectErrorStream(true);
            builder.environment().put("LOCAL_PORT_BASE", Integer.toString(base));
            builder.environment().put("RUN_LOCAL_SKIP_BUILD", "1");
            builder.environment().remove("LOCAL_STATE_DIR");
            builder.environment().keySet().removeIf(k -> k.startsWith("PROMFETCHER_") || k.startsWith("RUN_LOCAL_SIGNALS"));
            return new Launcher(builder.start(), ShippedFiles.repository().resolve(".local/base-" + base));
        }

        boolean alive() {
            return process.isAlive();
        }

        List<String> output() {
            synchronized (output) {
                return List.copyOf(output);
            }
        }

        void awaitUp() {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
                List<String> lines = output();
                if (!process.isAlive()) {
                    throw new AssertionError("run-local exited early:\n" + String.join("\n", lines));
                }
                return lines.stream().anyMatch(l -> l.startsWith("State and logs: "));
            });
        }

        /** Signals the launcher itself (not our end of its output: Process.destroy() would close that). */
        void stop(String signal) throws Exception {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
            awaitStopped();
        }

        void awaitStopped() throws Exception {
            boolean exited = process.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            reader.join(5000);
            assertThat(exited).as("run-local stops within 90 s").isTrue();
            assertThat(process.exitValue()).isZero();
            assertThat(output()).contains("• stopped");
            for (String line : Files.readAllLines(state.resolve("pids"))) {
                long pid = Long.parseLong(line.split(" ")[0]);
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("left running: " + line).isFalse();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A /proc file to its end (they report no size), NULs as spaces. */
    private static String read(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace('\0', ' ');
        }
    }

    private static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
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
    private static int ephemeralLow() {
        try {
            // read as lines: Files.readString trusts the size /proc reports, and reads one byte of it
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    private static int freeRange(int size) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            // Below the kernel's ephemeral range: outgoing connections (ours, other tests') take ports from
            // there at any moment, and a launcher checks its ports only once, at its start.
            int base = ThreadLocalRandom.current().nextInt(20000, ephemeralLow() - size);
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
