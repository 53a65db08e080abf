package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.broker.OsbClient;
import io.promfetcher.testkit.NatsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker on its default, embedded database, in the gateway's own jar as a single gateway runs
 * it: the file lands in the working directory, and every bind that was acknowledged survives the
 * gateway being killed right after (SIGKILL, no shutdown) and restarted.
 */
class EmbeddedBrokerIT {
    static NatsServer nats;

    @TempDir
    Path dir;

    @BeforeAll
    static void startNats() {
        nats = new NatsServer();
        nats.start();
    }

    @AfterAll
    static void stopNats() {
        nats.close();
    }

    /** The broker enabled with nothing but its credentials: the embedded default database. */
    private static Map<String, String> defaults() {
        Map<String, String> env = GatewayProcess.freePorts();
        env.put("PROMFETCHER_NATS_SERVERS", nats.url());
        env.put("PROMFETCHER_BROKER_ENABLED", "true");
        env.put("PROMFETCHER_BROKER_USER", OsbClient.USER);
        env.put("PROMFETCHER_BROKER_PASSWORD", OsbClient.PASSWORD);
        return env;
    }

    private static OsbClient started(Map<String, String> env) throws Exception {
        String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
        GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(30));
        return new OsbClient(api);
    }

    @Test
    void theDefaultDatabaseIsAFileInTheWorkingDirectoryAndKeepsABindAcknowledgedJustBeforeAKill() throws Exception {
        Map<String, String> env = defaults();
        String instance = UUID.randomUUID().toString();
        try (GatewayProcess gateway = GatewayProcess.startIn(dir, env)) {
            OsbClient osb = started(env);
            assertThat(osb.provision(instance).status()).isEqualTo(201);
            for (int i = 0; i < 5; i++) {
                assertThat(osb.bind(instance, "binding-" + i, "app-" + i, "{\"endpoint\":\"/p" + i + "\"}").status()).isEqualTo(201);
            }
            // close() kills the process (SIGKILL) the moment the last 201 has arrived: no shutdown runs.
        }
        assertThat(dir.resolve("promfetcher-broker.mv.db")).isRegularFile();

        Map<String, String> again = new HashMap<>(defaults());
        try (GatewayProcess gateway = GatewayProcess.startIn(dir, again)) {
            OsbClient osb = started(again);
            for (int i = 0; i < 5; i++) {
                OsbClient.Answer fetched = osb.fetchBinding(instance, "binding-" + i);
                assertThat(fetched.status()).as("binding-" + i + ": " + fetched.body()).isEqualTo(200);
                assertThat(fetched.json().path("parameters").path("endpoint").asText()).isEqualTo("/p" + i);
            }
            assertThat(osb.provision(instance).status()).as("the instance is known too").isEqualTo(200);
            gateway.signal("TERM");
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as("a clean stop with the broker on").isZero();
        }
    }

    @Test
    void checkConfigRefusesAnEnabledBrokerWithAnEmptyPassword() throws Exception {
        Map<String, String> env = defaults();
        env.put("PROMFETCHER_BROKER_PASSWORD", "");
        try (GatewayProcess check = GatewayProcess.start(env, "--check-config")) {
            assertThat(check.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(check.stderr()).contains("broker.password").contains("required");
        }
    }
}
