package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.config.ConfigLoader;
import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.NatsServer;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayWarmUpIT {

    @Test
    void whileTheTableWarmsUpAnUnknownAppIs503WithRetryAfterNot404() throws Exception {
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            Map<String, String> env = Map.of(
                    "PROMFETCHER_PORT", Integer.toString(FreePort.find()),
                    "PROMFETCHER_HEALTH_PORT", Integer.toString(FreePort.find()),
                    "PROMFETCHER_NATS_SERVERS", nats.url(),
                    "PROMFETCHER_ROUTES_REGISTER_INTERVAL", "1m");
            Gateway gateway = Gateway.start(ConfigLoader.load(Optional.empty(), env), r -> {});
            try {
                HttpResponse<String> response = GatewayProcess.get(
                        "http://127.0.0.1:" + env.get("PROMFETCHER_PORT") + "/v1/apps/o/s/a/metrics", Map.of());
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).hasValue("60");
                assertThat(response.body()).contains("warming up");
            } finally {
                gateway.shutdown("test end");
            }
        }
    }
}
