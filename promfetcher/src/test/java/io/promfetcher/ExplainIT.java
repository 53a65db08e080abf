package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.testkit.NatsServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code …/explain} through the running gateway: every app form, JSON and page, and instances contacted only on request. */
class ExplainIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static NatsServer nats;
    static Connection publisher;
    static InProcessGateway gateway;
    static MockWebServer instance;
    static String guid = java.util.UUID.nameUUIDFromBytes("explained".getBytes(StandardCharsets.UTF_8)).toString();

    @BeforeAll
    static void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        gateway = InProcessGateway.start(nats.url(), Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "300ms"));
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.gateway.health().ready());
        instance = new MockWebServer();
        instance.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return request.getUrl().encodedPath().equals("/custom")
                        ? new MockResponse.Builder().body("custom_metric 1\n").build()
                        : new MockResponse.Builder().code(404).body("not here").build();
            }
        });
        instance.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            AppMetricsIT.announce(publisher, guid, "ex", "dev", "explained", "explained.apps.example.com", 0, instance.getPort());
            return GatewayProcess.get(gateway.api + "/routes", Map.of()).body().contains(":" + instance.getPort() + "\"");
        });
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        publisher.close();
        nats.close();
        instance.close();
    }

    private static JsonNode explain(String pathAndQuery) throws Exception {
        HttpResponse<String> response = GatewayProcess.get(gateway.api + pathAndQuery, Map.of());
        assertThat(response.statusCode()).as(pathAndQuery + ": " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        return JSON.readTree(response.body());
    }

    @Test
    void everyAppFormIsExplainedWithoutContactingTheInstances() throws Exception {
        int before = instance.getRequestCount();
        List<String> forms = List.of("/v1/apps/ex/dev/explained/explain", "/v1/apps/" + guid + "/explain",
                "/v1/apps/explained.apps.example.com/explain", "/v1/apps/explain?app=ex/dev/explained",
                "/v1/apps/explain?app=%22" + guid + "%22", "/v1/apps/explain?route_url=explained.apps.example.com/some/path",
                "/v2/apps/ex/dev/explained/explain");
        for (String form : forms) {
            JsonNode e = explain(form);
            assertThat(e.path("resolved").asBoolean()).as(form).isTrue();
            assertThat(e.path("code").asText()).as(form).isIn("not_scraped", "ok", "all_failing");
            assertThat(e.path("apps").get(0).path("app_id").asText()).isEqualTo(guid);
            assertThat(e.path("apps").get(0).path("instances").get(0).path("seconds_since_announcement").isNumber()).isTrue();
        }
        assertThat(instance.getRequestCount()).as("no instance was contacted").isEqualTo(before);
    }

    @Test
    void scrapeTrueScrapesOnceThroughTheSamePipelineAndExplainsWhatItGot() throws Exception {
        int before = instance.getRequestCount();
        JsonNode e = explain("/v1/apps/ex/dev/explained/explain?scrape=true");
        assertThat(instance.getRequestCount()).isEqualTo(before + 1);
        assertThat(e.path("code").asText()).isEqualTo("all_failing");
        assertThat(e.path("scrape").path("status").asInt()).isEqualTo(502);
        assertThat(e.path("summary").asText()).contains("http_404");
        assertThat(e.path("apps").get(0).path("last_scrape").path("instances").get(0).path("meaning").asText()).contains("metric_path");

        JsonNode fixed = explain("/v1/apps/ex/dev/explained/explain?scrape=true&metric_path=/custom");
        assertThat(fixed.path("code").asText()).isEqualTo("ok");
        assertThat(fixed.path("scrape").path("status").asInt()).isEqualTo(200);
        assertThat(instance.takeRequest().getUrl().encodedPath()).isIn("/metrics", "/custom");
    }

    @Test
    void aBadRequestAndAnUnknownAppAreToldApart() throws Exception {
        assertThat(GatewayProcess.get(gateway.api + "/v1/apps/a/b/explain", Map.of()).statusCode()).isEqualTo(400);
        JsonNode e = explain("/v1/apps/ex/dev/explainedd/explain");
        assertThat(e.path("code").asText()).isEqualTo("unknown");
        assertThat(e.path("suggestions").get(0).path("name").asText()).isEqualTo("ex/dev/explained");
    }

    @Test
    void anAppAnnouncedOnlyOnInternalRoutesIsExplainedAsSuch() throws Exception {
        String backend = java.util.UUID.nameUUIDFromBytes("backend".getBytes(StandardCharsets.UTF_8)).toString();
        // route-emitter's message for an internal route: container address, no port, no names.
        String message = "{\"host\":\"10.255.7.3\",\"uris\":[\"backend.apps.internal\",\"0.backend.apps.internal\"],"
                + "\"app\":\"" + backend + "\",\"private_instance_index\":\"0\",\"tags\":{\"component\":\"route-emitter\"}}";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            publisher.publish("service-discovery.register", message.getBytes(StandardCharsets.UTF_8));
            publisher.flush(Duration.ofSeconds(2));
            JsonNode e = explain("/v1/apps/" + backend + "/explain");
            assertThat(e.path("code").asText()).isEqualTo("internal_routes_only");
            assertThat(e.path("internal_routes").get(0).path("hostnames").get(0).asText()).isEqualTo("backend.apps.internal");
        });
        assertThat(explain("/v1/apps/backend.apps.internal/explain").path("code").asText()).isEqualTo("internal_routes_only");
    }

    @Test
    void aBrowserGetsThePageAndFormatChoosesExplicitly() throws Exception {
        HttpResponse<String> page = GatewayProcess.get(gateway.api + "/v1/apps/ex/dev/explained/explain",
                Map.of("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<main id=\"main\">").contains("Verdict");
        assertThat(GatewayProcess.get(gateway.api + "/v1/apps/ex/dev/explained/explain?format=html", Map.of())
                .headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(GatewayProcess.get(gateway.api + "/v1/apps/ex/dev/explained/explain?format=json",
                Map.of("Accept", "text/html")).headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    }
}
