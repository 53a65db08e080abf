package io.promfetcher.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void defaultsAreTheProductionValues() {
        RoutesSettings routes = RoutesSettings.defaults();
        assertThat(routes.staleThreshold()).isEqualTo(Duration.ofSeconds(120));
        assertThat(routes.pruneInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(routes.registerInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(routes.subscribeRouterStart()).isTrue();
        assertThat(routes.publishRouterStart()).isFalse();
        assertThat(routes.endpoint().enabled()).isTrue();
        assertThat(NatsSettings.defaults().servers()).containsExactly("nats://127.0.0.1:4222");
        assertThat(NatsSettings.defaults().tls()).isFalse();
    }

    @Test
    void aServerThatIsNotANatsOrTlsUrlIsRefusedByName() {
        assertThatThrownBy(() -> NatsSettings.defaults().withServers(List.of("http://nats:4222")))
                .hasMessageContaining("nats.servers").hasMessageContaining("http://nats:4222");
        assertThatThrownBy(() -> NatsSettings.defaults().withServers(List.of())).hasMessageContaining("nats.servers");
        assertThatThrownBy(() -> NatsSettings.defaults().withServers(List.of("nats://"))).hasMessageContaining("nats.servers");
    }

    @Test
    void userWithoutPasswordAndCertWithoutKeyAreRefused() {
        NatsSettings d = NatsSettings.defaults();
        assertThatThrownBy(() -> new NatsSettings(d.servers(), Optional.of("u"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), d.reconnectWait(), d.connectTimeout()))
                .hasMessageContaining("nats.user");
        assertThatThrownBy(() -> new NatsSettings(d.servers(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(Path.of("c.pem")), Optional.empty(), d.reconnectWait(), d.connectTimeout()))
                .hasMessageContaining("nats.tls.cert_file");
    }

    @Test
    void aStaleThresholdAboveTheCapOrNonPositiveDurationsAreRefused() {
        assertThatThrownBy(() -> RoutesSettings.defaults().withStaleThreshold(Duration.ofSeconds(121)))
                .hasMessageContaining("routes.stale_threshold");
        assertThatThrownBy(() -> RoutesSettings.defaults().withPruneInterval(Duration.ZERO))
                .hasMessageContaining("routes.prune_interval");
    }

    @Test
    void credentialsInServerUrlsAreRedacted() {
        NatsSettings settings = NatsSettings.defaults().withServers(
                List.of("nats://nats:hunter2@10.0.0.1:4222", "tls://nats.service.cf.internal:4224"));
        assertThat(settings.redactedServers())
                .containsExactly("nats://***@10.0.0.1:4222", "tls://nats.service.cf.internal:4224");
        assertThat(settings.toString()).doesNotContain("hunter2");
    }

    @Test
    void secretsAreNotPrinted() {
        String text = NatsSettings.defaults().withUserPassword("nats", "hunter2").toString()
                + new RoutesSettings.RoutesEndpoint(true, Optional.of("ops"), Optional.of("hunter3"));
        assertThat(text).doesNotContain("hunter2").doesNotContain("hunter3").contains("nats").contains("ops");
    }
}
