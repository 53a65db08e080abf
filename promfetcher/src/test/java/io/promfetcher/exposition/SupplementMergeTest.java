package io.promfetcher.exposition;

import static io.promfetcher.exposition.Merging.merge;
import static io.promfetcher.exposition.Merging.text;
import static io.promfetcher.exposition.ScrapeStatus.INCLUDED;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Samples the gateway adds about an instance ({@link InstanceScrape.Supplement}): merged, but not an instance. */
class SupplementMergeTest {
    static InstanceScrape.Supplement supplement(int index, String body) {
        return new InstanceScrape.Supplement(Merging.target(index), body.getBytes(StandardCharsets.UTF_8), Merging.TEXT);
    }

    @Test
    void supplementsAreLabelledLikeTheirInstanceAndComeAfterItsFamilies() {
        Merging.Result result = merge(OutputFormat.TEXT_0_0_4, INCLUDED,
                supplement(0, "# TYPE cf_container_cpu_ratio gauge\ncf_container_cpu_ratio 0.5\n"),
                text(0, "app_metric 1\n"),
                supplement(1, "# TYPE cf_container_cpu_ratio gauge\ncf_container_cpu_ratio 0.25\n"),
                text(1, "app_metric 2\n"));
        String out = result.output();
        assertThat(out.indexOf("app_metric")).isLessThan(out.indexOf("cf_container_cpu_ratio"));
        assertThat(out).containsOnlyOnce("# TYPE cf_container_cpu_ratio gauge");
        assertThat(out.indexOf("} 0.5")).isLessThan(out.indexOf("} 0.25"));
        assertThat(result.report().instances()).as("not instances").hasSize(2);
        assertThat(result.report().instances()).allMatch(i -> i.up() && i.conflicts() == 0);
        assertThat(out.lines().filter(l -> l.startsWith("promfetcher_scrape_up{"))).hasSize(2);
    }

    @Test
    void anInstancesOwnFamilyOfASuppliedNameIsDroppedAsAConflict() {
        Merging.Result result = merge(OutputFormat.TEXT_0_0_4, INCLUDED,
                supplement(0, "# TYPE cf_container_cpu_ratio gauge\ncf_container_cpu_ratio 0.5\n"),
                text(0, "# TYPE cf_container_cpu_ratio gauge\ncf_container_cpu_ratio 99\napp_metric 1\n"));
        assertThat(result.output()).doesNotContain(" 99").contains("app_metric{");
        assertThat(result.report().instances().get(0).conflicts()).isEqualTo(1);
    }

    @Test
    void supplementsAloneMergeIntoValidOutput() {
        Merging.Result result = merge(OutputFormat.OPENMETRICS_1_0_0, INCLUDED,
                supplement(0, "# TYPE cf_container_uptime_seconds gauge\ncf_container_uptime_seconds 42\n"),
                new InstanceScrape.Failure(Merging.target(0), FailureReason.http(404), java.time.Duration.ofMillis(3)));
        assertThat(result.output()).contains("cf_container_uptime_seconds{").contains("promfetcher_scrape_error{").endsWith("# EOF\n");
        assertThat(result.report().anyUp()).isFalse();
    }
}
