package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.testkit.Promtool;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The jar started as a real process: configuration errors, health, /metrics, signals. */
class GatewayProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "PROMFETCHER_PORT=abc | | PROMFETCHER_PORT (port): \"abc\" is not a port number",
        "PROMFETCHER_HEALTH_PORT=65536 | | PROMFETCHER_HEALTH_PORT (health_port): 65536 is out of range",
        "PROMFETCHER_SHUTDOWN_TIMEOUT=fast | | PROMFETCHER_SHUTDOWN_TIMEOUT (shutdown_timeout): \"fast\" is not a duration",
        "PROMFETCHER_NATS_TLS_CA_FILE=/no/such/ca.pem | | PROMFETCHER_NATS_TLS_CA_FILE (nats.tls.ca_file): cannot read file /no/such/ca.pem",
        " | 'nats:\n  servres: nats://a:4222\n' | nats.servres (in {file}): unknown key; did you mean nats.servers?",
        " | 'port: 8085\nhttp: [\n' | {file}: malformed YAML at line",
        " | 'shutdown_timeout: 15\n' | shutdown_timeout (in {file}): \"15\" has no unit",
    })
    void aWrongValueStopsTheProcessWithExitTwoAndOneLine(String envAssignment, String yaml, String expected) throws Exception {
        Map<String, String> env = GatewayProcess.freePorts();
        if (envAssignment != null) {
            String[] kv = envAssignment.split("=", 2);
            env.put(kv[0], kv[1]);
        }
        String[] args = {};
        Path file = dir.resolve("promfetcher.yml");
        if (yaml != null) {
            Files.writeString(file, yaml.replace("\\n", "\n"));
            args = new String[] {"--config", file.toString()};
        }
        try (GatewayProcess gateway = GatewayProcess.start(env, args)) {
            assertThat(gateway.awaitExit(EXIT)).isEqualTo(2);
            String stderr = gateway.stderr();
            assertThat(stderr.lines()).hasSize(1);
            assertThat(stderr).startsWith("promfetcher: configuration error: " + expected.replace("{file}", file.toString()))
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(gateway.stdout()).isEmpty();
        }
    }

    @Test
    void helpAndVersionExitZero() throws Exception {
        try (GatewayProcess help = GatewayProcess.start(Map.of(), "--help")) {
            assertThat(help.awaitExit(EXIT)).isZero();
            assertThat(help.stdout()).contains("--config FILE").contains("PROMFETCHER_NATS_SERVERS");
        }
        try (GatewayProcess version = GatewayProcess.start(Map.of(), "--version")) {
            assertThat(version.awaitExit(EXIT)).isZero();
            assertThat(version.stdout()).startsWith("promfetcher ");
        }
        try (GatewayProcess wrong = GatewayProcess.start(Map.of(), "--colour")) {
            assertThat(wrong.awaitExit(EXIT)).isEqualTo(2);
            assertThat(wrong.stderr()).isEqualTo("promfetcher: unknown argument --colour (try --help)\n");
        }
    }

    @Test
    void checkConfigValidatesWithoutListening() throws Exception {
        Path file = Files.writeString(dir.resolve("ok.yml"), "port: 9999\nlog:\n  format: json\n");
        try (GatewayProcess check = GatewayProcess.start(Map.of(), "--config", file.toString(), "--check-config")) {
            assertThat(check.awaitExit(EXIT)).isZero();
            assertThat(check.stdout()).isEqualTo("configuration OK\n");
        }
    }

    @Test
    void aPortInUseIsNamedAndExitsOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Map<String, String> env = GatewayProcess.freePorts();
            env.put("PROMFETCHER_PORT", Integer.toString(taken.getLocalPort()));
            try (GatewayProcess gateway = GatewayProcess.start(env)) {
                assertThat(gateway.awaitExit(EXIT)).isEqualTo(1);
                assertThat(gateway.stderr().lines()).singleElement().asString()
                        .startsWith("promfetcher: cannot listen on 0.0.0.0:" + taken.getLocalPort() + " (port): ");
            }
        }
    }

    @Test
    void servesHealthAndMetricsThatPromtoolAccepts() throws Exception {
        Map<String, String> env = GatewayProcess.freePorts();
        try (GatewayProcess gateway = GatewayProcess.start(env)) {
            String health = "http://127.0.0.1:" + env.get("PROMFETCHER_HEALTH_PORT") + "/health";
            String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
            GatewayProcess.awaitListening(health, Duration.ofSeconds(20));
            GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(5));

            HttpResponse<String> h = GatewayProcess.get(health, Map.of());
            assertThat(h.statusCode()).isEqualTo(200);
            assertThat(h.body()).contains("\"status\":\"up\"");
            assertThat(GatewayProcess.get(api + "/health", Map.of()).statusCode()).isEqualTo(200);

            HttpResponse<String> text = GatewayProcess.get(api + "/metrics", Map.of());
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(text.body()).contains("jvm_memory_used_bytes").contains("promfetcher_build_info");
            Promtool.Verdict verdict = Promtool.checkMetrics(text.body().getBytes(StandardCharsets.UTF_8));
            assertThat(verdict.parses()).as(verdict.output()).isTrue();

            HttpResponse<String> om = GatewayProcess.get(api + "/metrics", Map.of("Accept",
                    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));
            assertThat(om.headers().firstValue("Content-Type")).hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertThat(om.body()).endsWith("# EOF\n");

            assertThat(GatewayProcess.get(api + "/nothing-here", Map.of()).statusCode()).isEqualTo(404);
            assertThat(gateway.stdout()).contains("promfetcher ").contains(" started in ")
                    .contains("access - GET /metrics 200");
            gateway.signal("TERM");
            assertThat(gateway.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    void sigtermLetsAnInFlightRequestFinishThenExitsZero() throws Exception {
        Map<String, String> env = GatewayProcess.freePorts();
        try (GatewayProcess gateway = GatewayProcess.startWithSlowEndpoint(env)) {
            String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
            GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(20));

            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return GatewayProcess.get(api + "/test/slow?ms=3000", Map.of());
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitInFlight(api, 1);
            gateway.signal("TERM");

            HttpResponse<String> answer = slow.get();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("slow request done after 3000 ms\n");
            assertThat(gateway.awaitExit(EXIT)).isZero();
            assertThat(gateway.stdout()).contains("stopped on SIGTERM").contains("1 request(s) in flight at the signal, all finished");
        }
    }

    @Test
    void sigusr1TurnsHealthUnavailableAtOnceThenShutsDownGracefully() throws Exception {
        Map<String, String> env = GatewayProcess.freePorts();
        try (GatewayProcess gateway = GatewayProcess.startWithSlowEndpoint(env)) {
            String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
            String health = "http://127.0.0.1:" + env.get("PROMFETCHER_HEALTH_PORT") + "/health";
            GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(20));
            assertThat(GatewayProcess.get(health, Map.of()).statusCode()).isEqualTo(200);

            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return GatewayProcess.get(api + "/test/slow?ms=4000", Map.of());
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitInFlight(api, 1);
            gateway.signal("USR1");

            // While the slow request drains, the health port answers 503.
            int status = 0;
            for (int i = 0; i < 100 && status != 503; i++) {
                status = GatewayProcess.get(health, Map.of()).statusCode();
                Thread.sleep(20);
            }
            assertThat(status).isEqualTo(503);
            assertThat(gateway.alive()).isTrue();

            assertThat(slow.get().statusCode()).isEqualTo(200);
            assertThat(gateway.awaitExit(EXIT)).isZero();
            assertThat(gateway.stdout()).contains("stopped on SIGUSR1");
        }
    }

    @Test
    void jsonLogsAreOneObjectPerLine() throws Exception {
        Map<String, String> env = new HashMap<>(GatewayProcess.freePorts());
        env.put("PROMFETCHER_LOG_FORMAT", "json");
        try (GatewayProcess gateway = GatewayProcess.start(env)) {
            String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
            GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(20));
            GatewayProcess.get(api + "/metrics?token=secret", Map.of());
            gateway.signal("INT");
            assertThat(gateway.awaitExit(EXIT)).isZero();
            assertThat(gateway.stdout().lines()).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{\"ts\":\"").endsWith("}"));
            assertThat(gateway.stdout()).contains("\"msg\":\"GET /metrics?token=*** 200 ").doesNotContain("secret");
        }
    }

    /** Waits until the gateway's own metrics show the given number of requests in flight. */
    private static void awaitInFlight(String api, int expected) throws Exception {
        for (int i = 0; i < 200; i++) {
            String metrics = GatewayProcess.get(api + "/metrics", Map.of()).body();
            // The /metrics request itself is in flight while it is answered.
            if (metrics.contains("promfetcher_http_requests_in_flight " + (expected + 1))) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("never saw " + expected + " request(s) in flight");
    }
}
