package io.promfetcher.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionStateTest {
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final ConnectionState state = new ConnectionState(clock::get, Duration.ofSeconds(20));

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void beforeAnyConnectionTheTableIsWarmingUpAndNotPruned() {
        advance(Duration.ofMinutes(5));
        assertThat(state.warmingUp()).isTrue();
        assertThat(state.pruningAllowed()).isFalse();
        assertThat(state.connected()).isFalse();
        assertThat(state.detail()).contains("not connected yet");
    }

    @Test
    void warmUpEndsOneRegisterIntervalAfterTheFirstConnection() {
        state.connected("nats://a:4222");
        advance(Duration.ofSeconds(19));
        assertThat(state.warmingUp()).isTrue();
        assertThat(state.detail()).contains("warming up");
        advance(Duration.ofSeconds(1));
        assertThat(state.warmingUp()).isFalse();
        assertThat(state.detail()).isEqualTo("NATS: connected to nats://a:4222");
    }

    @Test
    void pruningIsSuspendedWhileDisconnectedAndForOneIntervalAfterReconnecting() {
        state.connected("nats://a:4222");
        advance(Duration.ofSeconds(20));
        assertThat(state.pruningAllowed()).isTrue();

        state.disconnected("connection lost");
        advance(Duration.ofMinutes(10));
        assertThat(state.pruningAllowed()).isFalse();
        assertThat(state.detail()).contains("pruning suspended").contains("connection lost");

        state.connected("nats://b:4222");
        assertThat(state.reconnects()).isEqualTo(1);
        assertThat(state.warmingUp()).isFalse(); // warm-up happens once, after the first connection
        advance(Duration.ofSeconds(19));
        assertThat(state.pruningAllowed()).isFalse();
        assertThat(state.detail()).contains("pruning resumes");
        advance(Duration.ofSeconds(1));
        assertThat(state.pruningAllowed()).isTrue();
    }

    @Test
    void aProblemIsShownInTheDetail() {
        state.problem("Authorization Violation");
        assertThat(state.detail()).contains("Authorization Violation");
    }
}
