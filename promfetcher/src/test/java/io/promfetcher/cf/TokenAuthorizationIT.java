package io.promfetcher.cf;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.api.CallerAuthorization.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The decision cache of {@code auth.mode: cf} against the stand-in, with a clock the test moves. */
class TokenAuthorizationIT {
    static final String APP = "6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70";
    CloudFoundryStandIn cf;
    CloudController cc;
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    TokenAuthorization authorization;

    @BeforeEach
    void start() throws Exception {
        cf = new CloudFoundryStandIn();
        cf.apps.put(APP, new CloudFoundryStandIn.App(APP, "a", Map.of()));
        cc = new CloudController(CloudControllerIT.settings(cf, Duration.ofSeconds(5), 1000), new PrometheusRegistry());
        CloudControllerIT.warmUp(cc);
        authorization = new TokenAuthorization(cc, Duration.ofSeconds(60), clock, new PrometheusRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        cc.close();
        cf.close();
    }

    private Decision ask(String token) throws Exception {
        return authorization.app(Optional.of("Bearer " + token), APP).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHundredConcurrentQuestionsShareOneCloudControllerCall() throws Exception {
        String token = cf.userWhoSees(APP);
        List<CompletableFuture<Decision>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(authorization.app(Optional.of("Bearer " + token), APP).toCompletableFuture());
        }
        for (CompletableFuture<Decision> d : all) {
            assertThat(d.get(10, TimeUnit.SECONDS)).isEqualTo(Decision.ALLOWED);
        }
        assertThat(cf.count("/v3/apps/{guid}")).isEqualTo(1);
    }

    @Test
    void aDecisionIsNeverKeptPastTheTokensExpiry() throws Exception {
        String token = cf.token("u", List.of("cloud_controller.read"), now.get().plusSeconds(10));
        cf.visibility.put(token, java.util.Set.of(APP));
        assertThat(ask(token)).isEqualTo(Decision.ALLOWED);
        now.set(now.get().plusSeconds(9));
        assertThat(ask(token)).as("still within both").isEqualTo(Decision.ALLOWED);
        assertThat(cf.count("/v3/apps/{guid}")).isEqualTo(1);
        now.set(now.get().plusSeconds(2));
        assertThat(ask(token)).as("past exp, although within auth.cache_ttl").isEqualTo(Decision.UNAUTHORIZED);
        cf.appMode = CloudFoundryStandIn.Mode.DOWN_503;
        assertThat(ask(token)).as("and no stale decision outlives it either").isEqualTo(Decision.UNAUTHORIZED);
    }

    @Test
    void aKeptDecisionOutlivesTheTtlOnlyWhileTheCloudControllerIsDown() throws Exception {
        String token = cf.userWhoSees(APP);
        assertThat(ask(token)).isEqualTo(Decision.ALLOWED);
        now.set(now.get().plusSeconds(61));
        cf.appMode = CloudFoundryStandIn.Mode.DOWN_503;
        assertThat(ask(token)).isEqualTo(Decision.ALLOWED);
        cf.appMode = CloudFoundryStandIn.Mode.NORMAL;
        cf.visibility.put(token, java.util.Set.of()); // access withdrawn in the meantime
        assertThat(ask(token)).as("asked again as soon as it answers").isEqualTo(Decision.FORBIDDEN);
        assertThat(ask("never-seen-token-" + System.nanoTime())).isEqualTo(Decision.UNAUTHORIZED);
        cf.appMode = CloudFoundryStandIn.Mode.DOWN_503;
        assertThat(ask(cf.userWhoSees(APP))).as("nothing kept: fail closed").isEqualTo(Decision.UNAVAILABLE);
    }
}
