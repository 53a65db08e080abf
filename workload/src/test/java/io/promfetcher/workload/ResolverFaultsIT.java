package io.promfetcher.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promfetcher.workload.cleaner.Cleaner;
import io.promfetcher.workload.frontend.Frontend;
import io.promfetcher.workload.redis.RedisKeys;
import io.promfetcher.workload.resolver.Resolver;
import io.promfetcher.workload.tracker.Tracker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Faults during a run: resolvers killed (SIGKILL) or stopped (SIGTERM) with a URL in hand, and the
 * hotlist Redis restarted. Killed and stopped resolvers are child processes of the real jar; the
 * counts at the end must still be exact.
 */
class ResolverFaultsIT {
    /** Enough per-hop latency that a resolver almost always has a URL in hand. */
    private static final Map<String, String> SLOW_WEB = Map.of(
            "SYNTHETIC_POSTS", "500",
            "LINKFARM_HOP_LATENCY", "20ms");

    @Test
    void resolverKilledMidRunLosesNoUrl() throws Exception {
        try (WorkloadFixture system = new WorkloadFixture(SLOW_WEB)) {
            List<AutoCloseable> services = new ArrayList<>();
            try {
                services.add(Resolver.fromEnv(system.env.with("INSTANCE_INDEX", "0"), Clock.systemUTC()).start());
                Process doomed = system.startProcess("resolver", Map.of("INSTANCE_INDEX", "1"));
                Tracker tracker = Tracker.fromEnv(system.env).start();
                services.add(tracker);

                awaitUrlInHand(system, 1);
                doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                // Same instance index, as the platform restarts a crashed instance: it finds the URL left in flight.
                system.startProcess("resolver", Map.of("INSTANCE_INDEX", "1"));

                assertThat(tracker.awaitSourceDone(60, TimeUnit.SECONDS)).isTrue();
                system.awaitDrained(2);
                system.assertHotlistIs(system.expectedScores());
            } finally {
                closeAll(services);
            }
        }
    }

    @Test
    void resolverStoppedWithSigtermFinishesOrPutsBackItsUrl() throws Exception {
        try (WorkloadFixture system = new WorkloadFixture(SLOW_WEB)) {
            List<AutoCloseable> services = new ArrayList<>();
            try {
                services.add(Resolver.fromEnv(system.env.with("INSTANCE_INDEX", "0"), Clock.systemUTC()).start());
                // With the default grace the URL in hand is finished before the process exits.
                Process finishing = system.startProcess("resolver", Map.of("INSTANCE_INDEX", "1"));
                Tracker tracker = Tracker.fromEnv(system.env).start();
                services.add(tracker);

                awaitUrlInHand(system, 1);
                finishing.destroy();
                assertThat(finishing.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(system.inbox().llen(RedisKeys.inFlight(1))).isZero();

                // No grace: the URL in hand cannot be finished, it must be put back.
                Process impatient = system.startProcess("resolver",
                        Map.of("INSTANCE_INDEX", "2", "RESOLVER_SHUTDOWN_GRACE", "0s"));
                awaitUrlInHand(system, 2);
                impatient.destroy();
                assertThat(impatient.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(system.inbox().llen(RedisKeys.inFlight(2))).isZero();

                assertThat(tracker.awaitSourceDone(60, TimeUnit.SECONDS)).isTrue();
                system.awaitDrained(3);
                system.assertHotlistIs(system.expectedScores());
            } finally {
                closeAll(services);
            }
        }
    }

    @Test
    void hotlistRedisRestartedMidRunKeepsCountsExact() throws Exception {
        try (WorkloadFixture system = new WorkloadFixture(SLOW_WEB)) {
            List<AutoCloseable> services = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    services.add(Resolver.fromEnv(system.env.with("INSTANCE_INDEX", Integer.toString(i)), Clock.systemUTC()).start());
                }
                services.add(Cleaner.fromEnv(system.env, Clock.systemUTC()).start());
                Frontend frontend = Frontend.fromEnv(system.env).start();
                services.add(frontend);
                Tracker tracker = Tracker.fromEnv(system.env).start();
                services.add(tracker);

                await().atMost(Duration.ofSeconds(30)).until(() -> system.hotlist().zcard(RedisKeys.HOTLIST) > 10);
                system.hotlistRedis.stop();
                assertThat(status(frontend.port(), "/health")).isEqualTo(503);
                assertThat(status(frontend.port(), "/")).isEqualTo(503);
                system.hotlistRedis.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> status(frontend.port(), "/health") == 200);

                assertThat(tracker.awaitSourceDone(60, TimeUnit.SECONDS)).isTrue();
                system.awaitDrained(3);
                system.assertHotlistIs(system.expectedScores());
            } finally {
                closeAll(services);
            }
        }
    }

    @Test
    void inboxRedisRestartedWhileResolversWaitIsReconnected() throws Exception {
        try (WorkloadFixture system = new WorkloadFixture(Map.of("SYNTHETIC_POSTS", "200"))) {
            List<AutoCloseable> services = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    services.add(Resolver.fromEnv(system.env.with("INSTANCE_INDEX", Integer.toString(i)), Clock.systemUTC()).start());
                }
                Tracker first = Tracker.fromEnv(system.env).start();
                services.add(first);
                assertThat(first.awaitSourceDone(60, TimeUnit.SECONDS)).isTrue();
                system.awaitDrained(2);

                // The inbox is not persisted: restart it while it is empty, the resolvers blocked on it.
                system.inboxRedis.stop();
                system.inboxRedis.start();

                Tracker second = Tracker.fromEnv(system.env).start();
                services.add(second);
                assertThat(second.awaitSourceDone(60, TimeUnit.SECONDS)).isTrue();
                system.awaitDrained(2);

                Map<String, Long> twice = new HashMap<>();
                system.expectedScores().forEach((url, count) -> twice.put(url, 2 * count));
                system.assertHotlistIs(twice);
            } finally {
                closeAll(services);
            }
        }
    }

    private static void awaitUrlInHand(WorkloadFixture system, int index) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> system.inbox().llen(RedisKeys.inFlight(index)) > 0);
    }

    private static int status(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void closeAll(List<AutoCloseable> services) throws Exception {
        for (AutoCloseable service : services) {
            service.close();
        }
    }
}
