package io.promfetcher.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.testkit.Promtool;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every service's /metrics after a short run: valid for promtool, typed, with the original series
 * names the original dashboard queries use, and /health answering.
 */
class MetricsIT {
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyServiceExposesValidMetricsWithTheOriginalNames() throws Exception {
        try (WorkloadFixture system = new WorkloadFixture(Map.of("SYNTHETIC_POSTS", "200"))) {
            List<AutoCloseable> services = new ArrayList<>();
            try {
                Resolver resolver = Resolver.fromEnv(system.env, Clock.systemUTC()).start();
                services.add(resolver);
                Cleaner cleaner = Cleaner.fromEnv(system.env, Clock.systemUTC()).start();
                services.add(cleaner);
                Frontend frontend = Frontend.fromEnv(system.env).start();
                services.add(frontend);
                Tracker tracker = Tracker.fromEnv(system.env).start();
                services.add(tracker);
                assertThat(tracker.awaitSourceDone(60, TimeUnit.SECONDS)).isTrue();
                system.awaitDrained(1);
                get(frontend.port(), "/", null);

                Map<Integer, List<String>> expected = Map.of(
                        tracker.port(), List.of("# TYPE tracker_processed_tweets_total counter",
                                "tracker_processed_tweets_total 200.0",
                                "# TYPE tracker_processed_urls_in_last_tweet_count gauge",
                                "# TYPE tracker_processed_last_tweet_duration_seconds gauge",
                                "# TYPE tracker_post_duration_seconds histogram",
                                "thux_inbox_length 0"),
                        resolver.port(), List.of("# TYPE resolver_urls_resolved_total counter",
                                "# TYPE resolver_url_resolve_last_duration_seconds gauge",
                                "# TYPE resolver_url_resolve_duration_seconds histogram",
                                "resolver_url_outcomes_total{outcome=\"dropped\",reason=\"redirect_loop\"}",
                                "resolver_url_outcomes_total{outcome=\"cached\",reason=\"none\"}",
                                "# TYPE resolver_cache_hits_total counter",
                                "# TYPE resolver_cache_misses_total counter"),
                        cleaner.port(), List.of("# TYPE cleaner_runs_total counter",
                                "# TYPE cleaner_removed_urls_total counter",
                                "# TYPE cleaner_reductions_total counter",
                                "# TYPE thux_hotlist_size gauge"),
                        frontend.port(), List.of("frontend_requests_total{code=\"200\",handler=\"original\"} 1.0",
                                "# TYPE frontend_request_duration_seconds histogram"));
                for (Map.Entry<Integer, List<String>> service : expected.entrySet()) {
                    HttpResponse<String> metrics = get(service.getKey(), "/metrics", null);
                    assertThat(metrics.statusCode()).isEqualTo(200);
                    assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
                    for (String line : service.getValue()) {
                        assertThat(metrics.body()).contains(line);
                    }
                    assertThat(Promtool.checkMetrics(metrics.body().getBytes()).parses()).as(metrics.body()).isTrue();
                    HttpResponse<String> openMetrics = get(service.getKey(), "/metrics", "application/openmetrics-text; version=1.0.0");
                    assertThat(openMetrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
                    assertThat(openMetrics.body()).endsWith("# EOF\n");
                    HttpResponse<String> health = get(service.getKey(), "/health", null);
                    assertThat(health.statusCode()).isEqualTo(200);
                    assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
                }
            } finally {
                for (AutoCloseable service : services) {
                    service.close();
                }
            }
        }
    }
}
