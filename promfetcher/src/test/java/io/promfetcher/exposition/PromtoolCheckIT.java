package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.testkit.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The real {@code promtool check metrics} (Prometheus 2.42, text 0.0.4 only) on every text output
 * the unit tests produced (queued by {@link Merging} in target/promtool-queue, so run after them:
 * {@code mvn verify} does) and on the corpus merged here. Naming lint (exit 3) is allowed: the
 * apps' names are theirs; a parse error (exit 1) is a failure.
 */
class PromtoolCheckIT {

    @Test
    void everyTextOutputOfTheUnitTestsParsesWithPromtool() throws IOException {
        List<Path> outputs;
        try (Stream<Path> files = Files.list(Merging.PROMTOOL_QUEUE)) {
            outputs = files.sorted().collect(Collectors.toList());
        }
        assertThat(outputs).as("outputs queued by the unit tests (run mvn verify)").hasSizeGreaterThan(10);
        for (Path output : outputs) {
            Promtool.Verdict verdict = Promtool.checkMetrics(Files.readAllBytes(output));
            assertThat(verdict.parses()).as(output + ": " + verdict.output()).isTrue();
        }
    }

    @Test
    void theWholeCorpusMergedAsOneAppParsesWithPromtool() {
        List<InstanceScrape> scrapes = new java.util.ArrayList<>();
        for (int i = 0; i < CorpusMergeTest.FILES.size(); i++) {
            String file = CorpusMergeTest.FILES.get(i);
            boolean om = CorpusMergeTest.formatOf(file) == InputFormat.OPENMETRICS_TEXT;
            scrapes.add(Merging.body(i, new String(CorpusMergeTest.corpus(file), java.nio.charset.StandardCharsets.UTF_8),
                    om ? Merging.OM : Merging.TEXT));
        }
        Merging.Result result = Merging.merge(OutputFormat.TEXT_0_0_4, ScrapeStatus.INCLUDED, scrapes);
        Promtool.Verdict verdict = Promtool.checkMetrics(result.output().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(verdict.parses()).as(verdict.output()).isTrue();
    }

    @Test
    void promtoolRefusesWhatOurParserRefuses() {
        // Guards the check itself: a promtool that accepted anything would prove nothing.
        byte[] broken = "# TYPE a gauge\na 1\n# TYPE a gauge\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Promtool.checkMetrics(broken).parses()).isFalse();
    }
}
