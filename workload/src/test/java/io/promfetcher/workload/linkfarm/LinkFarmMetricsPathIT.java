package io.promfetcher.workload.linkfarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promfetcher.workload.synthetic.SyntheticWorld;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The link farm serves its own metrics at LINKFARM_METRICS_PATH, and only there. */
class LinkFarmMetricsPathIT {
    private static final SyntheticWorld WORLD = new SyntheticWorld(7, 100, 1.1);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(LinkFarm farm, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + farm.port() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anotherMetricsPathServesTheMetricsThereAndNotOnSlashMetrics() throws Exception {
        try (LinkFarm farm = new LinkFarm(WORLD, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, "/linkfarm/metrics").start()) {
            HttpResponse<String> metrics = get(farm, "/linkfarm/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
            // Not its own endpoint any more: asked directly it is a host outside the world (dead host).
            assertThatThrownBy(() -> get(farm, "/metrics")).isInstanceOf(IOException.class);
            assertThat(get(farm, "/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theDefaultIsSlashMetrics() throws Exception {
        try (LinkFarm farm = new LinkFarm(WORLD, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO).start()) {
            HttpResponse<String> metrics = get(farm, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
        }
    }

    @Test
    void aPathThatIsNotAPathIsRefused() {
        assertThatThrownBy(() -> new LinkFarm(WORLD, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, "metrics"))
                .hasMessageContaining("LINKFARM_METRICS_PATH");
    }
}
