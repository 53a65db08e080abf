package io.promfetcher.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.promfetcher.routes.RegistrationDecoder;
import io.promfetcher.routes.RouteTable;
import io.promfetcher.scrape.MetricPath;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceDiscoveryEndpointTest {
    private final RouteTable table = new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false);

    private void announce(String org, String space, String app, String guid, int port) throws Exception {
        String json = """
                {"host":"10.0.0.1","port":%d,"uris":["%s.apps.example.com"],"app":"%s","private_instance_index":"0",
                 "tags":{"component":"route-emitter","app_id":"%s","app_name":"%s","organization_id":"org-%s",
                 "organization_name":"%s","space_id":"space-%s","space_name":"%s","instance_id":"0"}}"""
                .formatted(port, app, guid, guid, app, org, org, space, space);
        table.register(new RegistrationDecoder().decode(json.getBytes(StandardCharsets.UTF_8)));
    }

    private JsonNode sd(String uri) throws Exception {
        return sd(uri, ScrapePreferences.NONE);
    }

    private JsonNode sd(String uri, ScrapePreferences preferences) throws Exception {
        HttpHeaders headers = new DefaultHttpHeaders().set("Host", "gateway.example.com:8085");
        Reply reply = new ServiceDiscoveryEndpoint(table, preferences, "127.0.0.1:8085")
                .handle(Request.of("GET", uri, headers, new InetSocketAddress(1))).toCompletableFuture().get();
        try {
            assertThat(reply.contentType()).isEqualTo("application/json");
            return new ObjectMapper().readTree(reply.body().toString(StandardCharsets.UTF_8));
        } finally {
            reply.body().release();
        }
    }

    @Test
    void listsOneTargetPerAppWithItsPathAndLabels() throws Exception {
        announce("thux", "local", "resolver", "11111111-1111-1111-1111-111111111111", 61001);
        announce("thux", "local", "frontend", "22222222-2222-2222-2222-222222222222", 61002);
        announce("other", "prod", "api", "33333333-3333-3333-3333-333333333333", 61003);

        JsonNode all = sd("/v1/sd");
        assertThat(all).hasSize(3);
        JsonNode resolver = all.findParents("app_name").stream()
                .filter(n -> n.get("app_name").asText().equals("resolver")).findFirst().orElseThrow();
        assertThat(resolver.get("__metrics_path__").asText()).isEqualTo("/v1/apps/11111111-1111-1111-1111-111111111111/metrics");
        assertThat(resolver.get("organization_name").asText()).isEqualTo("thux");
        assertThat(resolver.get("space_name").asText()).isEqualTo("local");
        assertThat(all.get(0).get("targets").get(0).asText()).isEqualTo("gateway.example.com:8085");

        assertThat(sd("/v1/sd?org=thux")).hasSize(2);
        assertThat(sd("/v1/sd?org=thux&space=prod")).isEmpty();
        assertThat(sd("/v2/sd?space=prod").get(0).get("labels").get("__metrics_path__").asText())
                .startsWith("/v2/apps/33333333");
    }

    @Test
    void anAppThatAskedNotToBeScrapedIsLeftOut() throws Exception {
        announce("thux", "local", "resolver", "11111111-1111-1111-1111-111111111111", 61001);
        announce("thux", "local", "frontend", "22222222-2222-2222-2222-222222222222", 61002);
        ScrapePreferences optOut = new ScrapePreferences() {
            @Override
            public Optional<Preference<MetricPath>> metricPath(String appGuid) {
                return Optional.empty();
            }

            @Override
            public Optional<Preference<Boolean>> scrape(String appGuid) {
                return appGuid.startsWith("2222") ? Optional.of(new Preference<>(false, "test")) : Optional.empty();
            }
        };

        assertThat(sd("/v1/sd", optOut).findValuesAsText("app_name")).containsExactly("resolver");
    }

    @Test
    void anEmptyTableIsAnEmptyList() throws Exception {
        assertThat(sd("/v1/sd")).isEmpty();
    }
}
