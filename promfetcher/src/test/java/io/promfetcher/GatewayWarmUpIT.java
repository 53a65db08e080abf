package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.testkit.NatsServer;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayWarmUpIT {

    @Test
    void whileTheTableWarmsUpAnUnknownAppIs503WithRetryAfterNot404() throws Exception {
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            try (InProcessGateway gateway = InProcessGateway.start(nats.url(),
                    Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "1m"))) {
                HttpResponse<String> response = GatewayProcess.get(gateway.api + "/v1/apps/o/s/a/metrics", Map.of());
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).hasValue("60");
                assertThat(response.body()).contains("warming up");
            }
        }
    }
}
