package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.promfetcher.deploy.ShippedPromql.Query;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The shipped Grafana dashboards are importable JSON with the structure Grafana expects. */
class DashboardStructureTest {
    static Stream<Path> dashboards() {
        return ShippedFiles.dashboards().stream();
    }

    /** Every panel, the ones nested in collapsed rows included. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        collect(dashboard.path("panels"), all);
        return all;
    }

    private static void collect(JsonNode panels, List<JsonNode> out) {
        for (JsonNode p : panels) {
            out.add(p);
            collect(p.path("panels"), out);
        }
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void hasTheTopLevelFieldsGrafanaNeedsToImportIt(Path file) {
        JsonNode d = ShippedPromql.readJson(file);

        assertThat(d.path("uid").asText()).matches("[a-z0-9-]{1,40}");
        assertThat(d.path("title").asText()).isNotBlank();
        assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        assertThat(d.path("panels").isArray()).isTrue();
        assertThat(d.path("templating").path("list").isArray()).isTrue();
        assertThat(d.has("id")).as("no database id: Grafana assigns it on import").isFalse();
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void panelIdsAreUniqueAndEveryPanelFitsTheGrid(Path file) {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : panels(ShippedPromql.readJson(file))) {
            assertThat(ids.add(p.path("id").asInt(-1))).as("duplicate panel id in %s: %s", file, p.path("id")).isTrue();
            JsonNode grid = p.path("gridPos");
            assertThat(grid.path("w").asInt()).as("width of %s", p.path("title")).isBetween(1, 24);
            assertThat(grid.path("h").asInt()).as("height of %s", p.path("title")).isPositive();
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("x + w of %s", p.path("title")).isLessThanOrEqualTo(24);
            assertThat(grid.has("y")).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void everyPanelButRowsHasATitleADatasourceVariableAndQueriesWithDistinctRefIds(Path file) {
        for (JsonNode p : panels(ShippedPromql.readJson(file))) {
            assertThat(p.path("title").asText()).isNotBlank();
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(p.path("type").asText()).isIn("timeseries", "stat", "gauge", "table", "bargauge", "text");
            assertThat(p.path("description").asText()).as("description of %s", p.path("title")).isNotBlank();
            assertThat(p.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            assertThat(p.path("targets").size()).as("targets of %s", p.path("title")).isPositive();
            Set<String> refIds = new HashSet<>();
            for (JsonNode t : p.path("targets")) {
                assertThat(refIds.add(t.path("refId").asText())).as("refId %s twice in %s", t.path("refId"), p.path("title")).isTrue();
                assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                assertThat(t.path("expr").asText()).isNotBlank();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void theDatasourceIsAVariableSoTheDashboardWorksWithAnyPrometheus(Path file) {
        JsonNode variables = ShippedPromql.readJson(file).path("templating").path("list");

        assertThat(variables).anySatisfy(v -> {
            assertThat(v.path("name").asText()).isEqualTo("datasource");
            assertThat(v.path("type").asText()).isEqualTo("datasource");
            assertThat(v.path("query").asText()).isEqualTo("prometheus");
        });
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void everyVariableAnExpressionUsesIsDefined(Path file) {
        // fromDashboard throws on an undefined variable; this makes that a test failure with the name.
        assertThat(ShippedPromql.fromDashboard(file)).isNotEmpty();
    }

    private static String allExpressions(Path dashboard) {
        return String.join("\n", ShippedPromql.fromDashboard(dashboard).stream().map(Query::raw).toList());
    }

    @Test
    void theWorkloadDashboardShowsWhatTheIssueAsksFor() {
        String exprs = allExpressions(ShippedFiles.workloadDashboard());

        assertThat(exprs).contains(
                "tracker_processed_tweets_total", // tweets processed per instance
                "resolver_urls_resolved_total", // URLs processed per instance
                "resolver_url_resolve_duration_seconds_bucket", // resolve latency
                "thux_hotlist_size",
                "thux_inbox_length",
                "by (app_name, index)");
    }

    @Test
    void theGatewayDashboardShowsWhatTheIssueAsksFor() {
        String exprs = allExpressions(ShippedFiles.gatewayDashboard());

        assertThat(exprs).contains(
                "promfetcher_http_request_duration_seconds_bucket", // scrape latency
                "promfetcher_fanout_duration_seconds_bucket",
                "promfetcher_scrape_error", // errors by reason
                "promfetcher_instance_scrapes_total",
                "promfetcher_routes_instances", // route table size
                "promfetcher_nats_connected"); // NATS state
    }
}
