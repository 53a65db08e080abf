package io.promfetcher.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.promfetcher.routes.RegistrationDecoder;
import io.promfetcher.routes.RouteTable;
import io.promfetcher.scrape.MetricPath;
import io.promfetcher.scrape.ScrapeTarget;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a request and what the app said become the targets of a fan-out. */
class AppMetricsTargetsTest {
    private static final String GUID = "11111111-1111-1111-1111-111111111111";
    private final RouteTable table = new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false);

    private void announce(int index, int port) throws Exception {
        String json = """
                {"host":"10.0.0.%d","port":%d,"uris":["resolver.apps.example.com"],"app":"%s","private_instance_index":"%d",
                 "private_instance_id":"inst-%d",
                 "tags":{"component":"route-emitter","app_id":"%s","app_name":"resolver","organization_id":"org-1",
                 "organization_name":"thux","space_id":"space-1","space_name":"local","instance_id":"%d"}}"""
                .formatted(index + 1, port, GUID, index, index, GUID, index);
        table.register(new RegistrationDecoder().decode(json.getBytes(StandardCharsets.UTF_8)));
    }

    private List<ScrapeTarget<io.promfetcher.exposition.TargetLabels>> targets(String uri, ScrapePreferences preferences)
            throws Exception {
        AppMetricsRequest request = AppMetricsRequest.parse(
                Request.of("GET", uri, EmptyHttpHeaders.INSTANCE, new InetSocketAddress(1)));
        return AppMetricsEndpoint.targets(table.byAppGuid(GUID).apps(), request, preferences);
    }

    private static ScrapePreferences path(String path) {
        return new ScrapePreferences() {
            @Override
            public Optional<Preference<MetricPath>> metricPath(String appGuid) {
                return appGuid.equals(GUID) ? Optional.of(new Preference<>(MetricPath.validate(path), "binding")) : Optional.empty();
            }

            @Override
            public Optional<Preference<Boolean>> scrape(String appGuid) {
                return Optional.empty();
            }
        };
    }

    @Test
    void everyInstanceIsATargetWithItsLabelsAndTheRouteAsHost() throws Exception {
        announce(0, 61001);
        announce(1, 61002);

        List<ScrapeTarget<io.promfetcher.exposition.TargetLabels>> targets = targets("/v1/apps/" + GUID + "/metrics", ScrapePreferences.NONE);

        assertThat(targets).extracting(t -> t.host() + ":" + t.port() + " " + t.routeHost() + " " + t.metricPath())
                .containsExactlyInAnyOrder("10.0.0.1:61001 resolver.apps.example.com /metrics",
                        "10.0.0.2:61002 resolver.apps.example.com /metrics");
        assertThat(targets).extracting(t -> t.instance().appName() + "/" + t.instance().index())
                .containsExactlyInAnyOrder("resolver/0", "resolver/1");
    }

    @Test
    void theAppsOwnPathIsUsedUnlessTheRequestNamesOne() throws Exception {
        announce(0, 61001);

        assertThat(targets("/v1/apps/" + GUID + "/metrics", path("/actuator/prometheus")).get(0).metricPath())
                .isEqualTo(MetricPath.validate("/actuator/prometheus"));
        assertThat(targets("/v1/apps/" + GUID + "/metrics?metric_path=/custom", path("/actuator/prometheus")).get(0).metricPath())
                .isEqualTo(MetricPath.validate("/custom"));
    }
}
