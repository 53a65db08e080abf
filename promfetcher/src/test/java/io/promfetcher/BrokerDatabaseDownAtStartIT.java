package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promfetcher.broker.OsbClient;
import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.PostgresServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A gateway whose broker database is not there when it starts: it starts and serves anyway, is
 * not ready until it has loaded the bindings (it does not know them yet), answers broker calls
 * 503, and catches up — schema included — once the database comes.
 */
class BrokerDatabaseDownAtStartIT {
    @Test
    void aGatewayStartedWithoutItsDatabaseServesIsNotReadyAndCatchesUpWhenTheDatabaseComes() throws Exception {
        int port = FreePort.find();
        try (NatsServer nats = new NatsServer(); PostgresServer postgres = new PostgresServer(port)) {
            nats.start();
            Map<String, String> env = new HashMap<>(OsbClient.brokerSettings(postgres.jdbcUrl(), PostgresServer.USER,
                    PostgresServer.PASSWORD));
            env.put("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "200ms");
            try (InProcessGateway gateway = InProcessGateway.start(nats.url(), env)) {
                OsbClient osb = new OsbClient(gateway.api);
                await().atMost(Duration.ofSeconds(20)).until(() -> health(gateway).contains("bindings not loaded yet"));
                HttpResponse<String> ready = GatewayProcess.get(gateway.api + "/ready", Map.of());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("\"broker\":{\"ready\":false");
                assertThat(GatewayProcess.get(gateway.api + "/v1/sd", Map.of()).statusCode()).as("the API serves").isEqualTo(200);
                OsbClient.Answer refused = osb.provision("i-1");
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.json().path("error").asText()).isEqualTo("DatabaseUnavailable");
                assertThat(osb.send("GET", "/v2/catalog", null).status()).as("the catalog needs no database").isEqualTo(200);

                postgres.startReady();

                await().atMost(Duration.ofSeconds(20)).until(() -> GatewayProcess.get(gateway.api + "/ready", Map.of()).statusCode() == 200);
                assertThat(osb.provision("i-1").status()).isEqualTo(201);
                assertThat(osb.bind("i-1", "b-1", "app-1", "{\"endpoint\":\"/m\"}").status()).isEqualTo(201);
            }
        }
    }

    private static String health(InProcessGateway gateway) throws Exception {
        return GatewayProcess.get(gateway.api + "/health", Map.of()).body();
    }
}
