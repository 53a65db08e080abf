package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the fidelity tables merged as one app, in every output format: the engine never
 * throws and its output always parses (strictly, without duplicate series); text outputs go to
 * {@link PromtoolCheckIT} for the real promtool. What Prometheus stores from them is
 * ExpositionFidelityIT's job.
 */
class FidelityCasesMergeTest {
    private static final OutputFormat[] OUTPUTS = {
        OutputFormat.TEXT_0_0_4, OutputFormat.OPENMETRICS_1_0_0,
        OutputFormat.text1(EscapingScheme.ALLOW_UTF_8), OutputFormat.openMetrics(EscapingScheme.ALLOW_UTF_8),
        OutputFormat.protobuf(EscapingScheme.UNDERSCORES), OutputFormat.protobuf(EscapingScheme.ALLOW_UTF_8),
    };

    static Stream<Arguments> casesAndOutputs() {
        List<Arguments> args = new ArrayList<>();
        for (FidelityCases.Case c : FidelityCases.all()) {
            for (OutputFormat output : OUTPUTS) {
                args.add(Arguments.of(c.name(), output, c));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("casesAndOutputs")
    void everyCaseMergesIntoOutputThatParses(String name, OutputFormat output, FidelityCases.Case c) {
        List<InstanceScrape> scrapes = new ArrayList<>();
        for (int i = 0; i < c.instances().size(); i++) {
            FidelityCases.Body body = c.instances().get(i);
            scrapes.add(new InstanceScrape.Body(Merging.target(i), body.bytes(), body.contentType(), Duration.ZERO));
        }
        Merging.Result result = Merging.merge(output, ScrapeStatus.INCLUDED, scrapes);
        assertThat(result.report().instances()).hasSize(c.instances().size());
    }
}
