package io.promfetcher.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void aComponentNotReadyLeavesTheGatewayHealthyButNotReady() {
        Health health = new Health();
        AtomicBoolean connected = new AtomicBoolean(false);
        health.register("nats", () -> connected.get() ? Health.Check.ready("connected") : Health.Check.notReady("disconnected"));
        assertThat(health.healthy()).isTrue();
        assertThat(health.ready()).isFalse();
        assertThat(new String(health.toJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"status\":\"up\",\"checks\":{\"nats\":{\"ready\":false,\"detail\":\"disconnected\"}},\"ready\":false}");
        connected.set(true);
        assertThat(health.ready()).isTrue();
    }

    @Test
    void drainingIsUnhealthyAndUnready() {
        Health health = new Health();
        health.startDraining();
        assertThat(health.healthy()).isFalse();
        assertThat(health.ready()).isFalse();
        assertThat(new String(health.toJson(), StandardCharsets.UTF_8)).startsWith("{\"status\":\"draining\"");
    }
}
