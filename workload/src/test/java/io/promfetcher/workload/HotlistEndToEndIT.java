package io.promfetcher.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promfetcher.workload.cleaner.Cleaner;
import io.promfetcher.workload.frontend.Frontend;
import io.promfetcher.workload.resolver.Resolver;
import io.promfetcher.workload.tracker.Tracker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The centrepiece: tracker → inbox → three resolvers → hotlist → cleaner → frontend over a seeded
 * synthetic stream, every service built from the environment as the jar builds it. The final
 * hotlist must equal the synthetic world's known counts exactly.
 */
class HotlistEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void hotlistEqualsTheGeneratorsCountsExactly() throws Exception {
        try (WorkloadFixture system = new WorkloadFixture(Map.of("SYNTHETIC_POSTS", "1500"))) {
            Map<String, Long> expected = system.expectedScores();
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

                assertThat(tracker.awaitSourceDone(60, TimeUnit.SECONDS)).isTrue();
                system.awaitDrained(3);

                system.assertHotlistIs(expected);
                assertFrontendShowsTheTop(frontend.port(), expected);
            } finally {
                for (AutoCloseable service : services) {
                    service.close();
                }
            }
        }
    }

    private static void assertFrontendShowsTheTop(int port, Map<String, Long> expected) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> original = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(original.statusCode()).isEqualTo(200);
        assertThat(original.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode top = JSON.readTree(original.body());
        assertThat(top.isArray()).isTrue();
        assertThat(top).hasSize(Math.min(30, expected.size()));
        List<Long> scores = new ArrayList<>();
        for (JsonNode line : top) {
            assertThat(line.fieldNames()).toIterable().containsExactly("url", "score");
            assertThat(expected.get(line.get("url").asText())).isEqualTo(line.get("score").asLong());
            scores.add(line.get("score").asLong());
        }
        assertThat(scores).isSortedAccordingTo(Comparator.reverseOrder());
        List<Long> bestExpected = expected.values().stream().sorted(Comparator.reverseOrder()).limit(30).toList();
        assertThat(scores).isEqualTo(bestExpected);

        HttpResponse<String> api = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/hotlist?limit=1000")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(api.body());
        assertThat(body.get("size").asLong()).isEqualTo(expected.size());
        assertThat(body.get("hotlist")).hasSize(Math.min(1000, expected.size()));
    }
}
