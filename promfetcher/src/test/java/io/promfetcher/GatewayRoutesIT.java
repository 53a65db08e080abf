package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.testkit.NatsServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway process following a real nats-server: warm-up, /routes, its protection. */
class GatewayRoutesIT {

    private static final String REGISTRATION = """
            {"host":"10.0.1.12","port":61012,"uris":["my-app.apps.example.com"],
             "app":"6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70","private_instance_id":"41653aa4-3a3a-486a-4431-ef258b39f042",
             "private_instance_index":"1",
             "tags":{"component":"route-emitter","app_id":"6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70","app_name":"my-app",
              "organization_id":"c0130000-0000-0000-0000-000000000001","organization_name":"my-org",
              "space_id":"06450000-0000-0000-0000-000000000002","space_name":"dev","instance_id":"1"}}""";

    @Test
    void announcedInstancesAppearInRoutesAndReadinessFollowsWarmUp() throws Exception {
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            Map<String, String> env = GatewayProcess.freePorts();
            env.put("PROMFETCHER_NATS_SERVERS", nats.url());
            env.put("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "2s");
            try (GatewayProcess gateway = GatewayProcess.start(env);
                 Connection publisher = Nats.connect(nats.url())) {
                String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
                GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(20));

                assertThat(GatewayProcess.get(api + "/ready", Map.of()).statusCode()).isEqualTo(503);
                assertThat(GatewayProcess.get(api + "/health", Map.of()).statusCode()).isEqualTo(200);

                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    publisher.publish("router.register", REGISTRATION.getBytes(StandardCharsets.UTF_8));
                    publisher.flush(Duration.ofSeconds(1));
                    assertThat(GatewayProcess.get(api + "/routes", Map.of()).body())
                            .contains("my-app.apps.example.com").contains("10.0.1.12:61012").contains("my-org");
                });
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(GatewayProcess.get(api + "/ready", Map.of()).statusCode()).isEqualTo(200));
                String metrics = GatewayProcess.get(api + "/metrics", Map.of()).body();
                assertThat(metrics).contains("promfetcher_routes_instances 1").contains("promfetcher_nats_connected 1");

                gateway.signal("TERM");
                assertThat(gateway.awaitExit(Duration.ofSeconds(20))).isZero();
            }
        }
    }

    @Test
    void routesCanBeProtectedOrSwitchedOff() throws Exception {
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            Map<String, String> env = GatewayProcess.freePorts();
            env.put("PROMFETCHER_NATS_SERVERS", nats.url());
            env.put("PROMFETCHER_ROUTES_API_USER", "operator");
            env.put("PROMFETCHER_ROUTES_API_PASSWORD", "s3cret");
            try (GatewayProcess gateway = GatewayProcess.start(env)) {
                String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
                GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(20));
                HttpResponse<String> anonymous = GatewayProcess.get(api + "/routes", Map.of());
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
                String wrong = "Basic " + Base64.getEncoder().encodeToString("operator:guess".getBytes(StandardCharsets.UTF_8));
                assertThat(GatewayProcess.get(api + "/routes", Map.of("Authorization", wrong)).statusCode()).isEqualTo(401);
                String right = "Basic " + Base64.getEncoder().encodeToString("operator:s3cret".getBytes(StandardCharsets.UTF_8));
                assertThat(GatewayProcess.get(api + "/routes", Map.of("Authorization", right)).statusCode()).isEqualTo(200);
                gateway.signal("TERM");
                assertThat(gateway.awaitExit(Duration.ofSeconds(20))).isZero();
            }
            env = GatewayProcess.freePorts();
            env.put("PROMFETCHER_NATS_SERVERS", nats.url());
            env.put("PROMFETCHER_ROUTES_API_ENABLED", "false");
            try (GatewayProcess gateway = GatewayProcess.start(env)) {
                String api = "http://127.0.0.1:" + env.get("PROMFETCHER_PORT");
                GatewayProcess.awaitListening(api + "/health", Duration.ofSeconds(20));
                assertThat(GatewayProcess.get(api + "/routes", Map.of()).statusCode()).isEqualTo(404);
                gateway.signal("TERM");
                assertThat(gateway.awaitExit(Duration.ofSeconds(20))).isZero();
            }
        }
    }
}
