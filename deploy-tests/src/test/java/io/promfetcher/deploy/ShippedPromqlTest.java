package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promfetcher.deploy.ShippedPromql.Query;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShippedPromqlTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(ShippedPromqlTest.class.getResource(name).toURI());
    }

    @Test
    void everyTargetOfEveryPanelIsFoundIncludingPanelsInsideCollapsedRows() throws Exception {
        List<Query> queries = ShippedPromql.fromDashboard(fixture("nested-dashboard.json"));

        assertThat(queries).extracting(Query::panel, Query::refId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("variable org", ""),
                org.assertj.core.groups.Tuple.tuple("variable app", ""),
                org.assertj.core.groups.Tuple.tuple("top", "A"),
                org.assertj.core.groups.Tuple.tuple("top", "B"),
                org.assertj.core.groups.Tuple.tuple("inside", "A"));
    }

    @Test
    void queriesAreGroupedByPanelSoAPanelCanBeJudgedByAnyOfItsQueries() throws Exception {
        List<ShippedPromql.Panel> panels = ShippedPromql.byPanel(ShippedPromql.fromDashboard(fixture("nested-dashboard.json")));

        assertThat(panels).extracting(ShippedPromql.Panel::title).containsExactly("variable org", "variable app", "top", "inside");
        assertThat(panels.get(2).queries()).extracting(Query::refId).containsExactly("A", "B");
    }

    @Test
    void variablesTakeTheDashboardDefaultsAndAllMeansTheAllValue() throws Exception {
        List<Query> queries = ShippedPromql.fromDashboard(fixture("nested-dashboard.json"));

        assertThat(queries.get(2).promql())
                .isEqualTo("rate(resolver_urls_resolved_total{organization_name=\"thux\", app_name=~\"res.*\"}[1m])");
        assertThat(queries.get(3).promql()).isEqualTo("sum(up{app_name=~\"res.*\", org=\"thux\"})");
        assertThat(queries.get(1).promql()).isEqualTo("promfetcher_scrape_up{organization_name=~\"thux\"}");
        assertThat(queries.get(2).raw()).contains("$org", "${app}", "$__rate_interval");
    }

    @Test
    void callerValuesOverrideTheDefaults() throws Exception {
        List<Query> queries = ShippedPromql.fromDashboard(fixture("nested-dashboard.json"),
                Map.of("org", "other", "__rate_interval", "5m"));

        assertThat(queries.get(2).promql())
                .isEqualTo("rate(resolver_urls_resolved_total{organization_name=\"other\", app_name=~\"res.*\"}[5m])");
    }

    @Test
    void anUndefinedVariableIsAnErrorNamingIt() {
        assertThatThrownBy(() -> ShippedPromql.substitute("up{a=\"$nope\"}", Map.of(), "d.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("d.json").hasMessageContaining("$nope");
    }

    @Test
    void aFileThatIsNotJsonIsAClearError() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"panels\": [");

        assertThatThrownBy(() -> ShippedPromql.fromDashboard(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("broken.json is not valid JSON");
    }

    @Test
    void jsonWithoutPanelsIsNotADashboard() throws IOException {
        Path notDashboard = Files.writeString(dir.resolve("other.json"), "{\"title\": \"x\"}");

        assertThatThrownBy(() -> ShippedPromql.fromDashboard(notDashboard))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Grafana dashboard");
    }

    @Test
    void aTargetWithoutExpressionIsAnError() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.json"),
                "{\"panels\": [{\"title\": \"p\", \"targets\": [{\"refId\": \"A\"}]}]}");

        assertThatThrownBy(() -> ShippedPromql.fromDashboard(empty))
                .hasMessageContaining("panel \"p\" target A has no expr");
    }

    @Test
    void alertAndRecordingRulesAreRead() throws IOException {
        Path rules = Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: g
                    rules:
                      - record: job:up:sum
                        expr: sum by (job) (up)
                      - alert: Down
                        expr: |
                          up == 0
                        for: 1m
                """);

        assertThat(ShippedPromql.fromAlertRules(rules)).extracting(Query::panel, Query::promql).containsExactly(
                org.assertj.core.groups.Tuple.tuple("job:up:sum", "sum by (job) (up)"),
                org.assertj.core.groups.Tuple.tuple("Down", "up == 0"));
    }

    @Test
    void aRulesFileWithoutGroupsIsAClearError() throws IOException {
        Path rules = Files.writeString(dir.resolve("rules.yml"), "rules: []\n");

        assertThatThrownBy(() -> ShippedPromql.fromAlertRules(rules))
                .hasMessageContaining("rules.yml is not a Prometheus rules file");
    }

    @Test
    void aRuleWithoutExpressionIsAnError() throws IOException {
        Path rules = Files.writeString(dir.resolve("rules.yml"), "groups:\n  - name: g\n    rules:\n      - alert: X\n");

        assertThatThrownBy(() -> ShippedPromql.fromAlertRules(rules))
                .hasMessageContaining("group g has a rule without expr");
    }

    @Test
    void invalidYamlIsAClearError() throws IOException {
        Path rules = Files.writeString(dir.resolve("rules.yml"), "groups: [\n");

        assertThatThrownBy(() -> ShippedPromql.fromAlertRules(rules))
                .hasMessageContaining("rules.yml is not valid YAML");
    }

    @Test
    void theShippedFilesYieldExpressionsFromBothDashboardsAndTheRules() {
        assertThat(ShippedPromql.all()).extracting(Query::source).contains(
                "thux-workload.json", "promfetcher-gateway.json", "promfetcher-alerts.yml");
        assertThat(ShippedPromql.all()).allSatisfy(q -> assertThat(q.promql()).doesNotContain("$"));
    }
}
