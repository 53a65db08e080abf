package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promfetcher.deploy.ShippedPromql.Query;
import io.promfetcher.testkit.PrometheusServer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus server, started with the shipped prometheus.yml and alert rules, loads them
 * and accepts every PromQL expression of the dashboards and rules (a syntax error answers
 * status "error"). That the expressions return data needs the whole local system running.
 */
class PromqlAcceptedIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PrometheusServer prometheus;

    @BeforeAll
    static void startPrometheus() throws IOException {
        prometheus = new PrometheusServer(Files.readString(ShippedFiles.prometheusConfig()));
        prometheus.writeFile(ShippedFiles.alertRules().getFileName().toString(), Files.readString(ShippedFiles.alertRules()));
        prometheus.start();
        // The port opens before the configuration and rules are loaded; /-/ready says when they are.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!prometheus.get("/-/ready").contains("Ready")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Prometheus not ready after 30 s; log: " + prometheus.logFile());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static JsonNode query(String promql) throws IOException {
        return JSON.readTree(prometheus.query(promql));
    }

    @Test
    void everyDashboardAndAlertExpressionIsAcceptedByPrometheus() throws IOException {
        List<Query> queries = ShippedPromql.all();
        List<String> refused = new ArrayList<>();
        for (Query q : queries) {
            JsonNode answer = query(q.promql());
            if (!"success".equals(answer.path("status").asText())) {
                refused.add(q + " -> " + answer.path("error").asText());
            }
        }

        assertThat(queries).hasSizeGreaterThan(50);
        assertThat(refused).isEmpty();
    }

    @Test
    void aSyntaxErrorIsRefusedSoTheCheckAboveCanFail() throws IOException {
        JsonNode answer = query("sum by (le (rate(x[1m]))");

        assertThat(answer.path("status").asText()).isEqualTo("error");
        assertThat(answer.path("errorType").asText()).isEqualTo("bad_data");
    }

    @Test
    void prometheusLoadedEveryShippedAlertRule() throws IOException {
        JsonNode groups = JSON.readTree(prometheus.get("/api/v1/rules")).path("data").path("groups");
        List<String> loaded = new ArrayList<>();
        groups.forEach(g -> g.path("rules").forEach(r -> loaded.add(r.path("name").asText())));

        assertThat(loaded).containsExactlyInAnyOrderElementsOf(
                ShippedPromql.fromAlertRules(ShippedFiles.alertRules()).stream().map(Query::panel).toList());
    }
}
