package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.deploy.ShippedPromql.Query;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The shipped alert rules cover what operators asked for and match the shipped scrape jobs. */
class AlertRulesTest {
    private static Object yaml(java.nio.file.Path file) throws IOException {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules() throws IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        Map<String, Object> root = (Map<String, Object>) yaml(ShippedFiles.alertRules());
        for (Object group : (List<Object>) root.get("groups")) {
            all.addAll((List<Map<String, Object>>) ((Map<String, Object>) group).get("rules"));
        }
        return all;
    }

    @Test
    void theAlertsTheIssueAsksForExist() {
        assertThat(ShippedPromql.fromAlertRules(ShippedFiles.alertRules())).extracting(Query::panel).contains(
                "PromfetcherNatsDisconnected",
                "PromfetcherRouteTableStale",
                "PromfetcherInstanceScrapeErrorsRising",
                "PromfetcherAppAllInstancesFailing");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasASeverityASummaryAndADescription() throws IOException {
        for (Map<String, Object> rule : rules()) {
            assertThat(rule).containsKey("alert");
            Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
            assertThat(labels).as("labels of %s", rule.get("alert")).containsKey("severity");
            assertThat(labels.get("severity")).isIn("critical", "warning", "info");
            Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
            assertThat(annotations).as("annotations of %s", rule.get("alert")).containsKeys("summary", "description");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyJobTheRulesNameIsAJobOfTheShippedScrapeConfiguration() throws IOException {
        Map<String, Object> config = (Map<String, Object>) yaml(ShippedFiles.prometheusConfig());
        List<String> jobs = ((List<Map<String, Object>>) config.get("scrape_configs")).stream()
                .map(job -> (String) job.get("job_name")).toList();
        Matcher m = Pattern.compile("job=\"([^\"]+)\"").matcher(String.join("\n",
                ShippedPromql.fromAlertRules(ShippedFiles.alertRules()).stream().map(Query::promql).toList()));
        List<String> used = new ArrayList<>();
        while (m.find()) {
            used.add(m.group(1));
        }

        assertThat(used).isNotEmpty();
        assertThat(jobs).containsAll(used);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAppsJobHonoursLabelsSoEachSampleKeepsItsInstance() throws IOException {
        for (var file : List.of(ShippedFiles.prometheusConfig(), ShippedFiles.singleAppConfig(), ShippedFiles.protectedAppsConfig())) {
            Map<String, Object> config = (Map<String, Object>) yaml(file);
            for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
                if (!"promfetcher".equals(job.get("job_name"))) {
                    assertThat(job.get("honor_labels")).as("honor_labels of %s in %s", job.get("job_name"), file).isEqualTo(true);
                }
            }
        }
    }
}
