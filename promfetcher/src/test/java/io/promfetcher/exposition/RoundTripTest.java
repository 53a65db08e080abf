package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parsing the merged output gives back exactly every input sample (name, labels, value,
 * timestamp, exemplar) and the family metadata, plus the target labels.
 */
class RoundTripTest {
    private static final String TEXT_INPUT = """
            # HELP esc Help with \\\\ backslash and \\n newline and "quotes".
            # TYPE esc gauge
            esc{path="/a \\"b\\"\\\\c\\n",word="héllo ✓"} 1.5 1700000000123
            esc { path = "/x" , } -Inf
            esc{path="/y"} NaN
            # TYPE requests counter
            requests{code="200",instance="app-own",index="e"} 10
            # TYPE lat histogram
            lat_bucket{le="0.1"} 1
            lat_bucket{le="+Inf"} 3
            lat_sum 0.7
            lat_count 3
            # TYPE rpc summary
            rpc{quantile="0.99"} 2e-3
            rpc_sum 1
            rpc_count 4
            # a comment the output does not keep
            plain 42 1
            """;

    private static final String UTF8_INPUT = """
            # HELP "my.metric" A dotted name.
            # TYPE "my.metric" counter
            {"my.metric_total","lbl.with.dots"="v",a="b"} 1
            {"another metric"} 2
            """;

    private static final String OM_INPUT = """
            # TYPE req counter
            # HELP req Requests "served".
            req_total{code="200"} 5 1700000000.123 # {trace_id="t1"} 1 1700000000.001
            req_created{code="200"} 1.7e9
            # TYPE temp_celsius gauge
            # UNIT temp_celsius celsius
            temp_celsius 21.5
            # TYPE b info
            b_info{v="1"} 1
            # EOF
            """;

    @Test
    void textRoundTripsThroughBothFormats() {
        roundTrip(InputFormat.PROMETHEUS_TEXT, TEXT_INPUT, OutputFormat.TEXT_0_0_4);
        roundTrip(InputFormat.PROMETHEUS_TEXT, TEXT_INPUT, OutputFormat.OPENMETRICS_1_0_0);
    }

    @Test
    void openMetricsRoundTripsThroughBothFormats() {
        roundTrip(InputFormat.OPENMETRICS_TEXT, OM_INPUT, OutputFormat.OPENMETRICS_1_0_0);
        roundTrip(InputFormat.OPENMETRICS_TEXT, OM_INPUT, OutputFormat.TEXT_0_0_4);
    }

    @Test
    void utf8NamesRoundTripWhenTheCallerAllowsThem() {
        roundTrip(InputFormat.PROMETHEUS_TEXT, UTF8_INPUT, OutputFormat.text1(EscapingScheme.ALLOW_UTF_8));
        roundTrip(InputFormat.PROMETHEUS_TEXT, UTF8_INPUT, OutputFormat.openMetrics(EscapingScheme.ALLOW_UTF_8));
    }

    private static void roundTrip(InputFormat in, String input, OutputFormat output) {
        String contentType = in == InputFormat.OPENMETRICS_TEXT ? Merging.OM : Merging.TEXT;
        Merging.Result result = Merging.merge(output, ScrapeStatus.INCLUDED,
                Merging.body(0, input, contentType), Merging.body(1, input, contentType));
        InputFormat outFormat = output.isOpenMetrics() ? InputFormat.OPENMETRICS_TEXT : InputFormat.PROMETHEUS_TEXT;
        List<String> expected = Merging.samples(in, input.getBytes(StandardCharsets.UTF_8));
        Map<String, List<String>> actual = Merging.samplesByInstance(outFormat, result.output(), output.isOpenMetrics());
        assertThat(actual).hasSize(2);
        if (in == outFormat) {
            // Same format: same samples in the same order, and the same metadata.
            actual.values().forEach(samples -> assertThat(samples).isEqualTo(expected));
            List<String> metadata = Merging.metadata(outFormat, result.output());
            metadata.removeIf(line -> line.contains("promfetcher_scrape_")
                    || (line.startsWith("TYPE ") && line.endsWith(" unknown")
                        && !Merging.metadata(in, input).contains(line)));
            assertThat(metadata).containsExactlyInAnyOrderElementsOf(Merging.metadata(in, input));
        } else {
            List<String> withoutExemplars = expected.stream().map(s -> s.replaceAll(" # .*", "")).toList();
            actual.values().forEach(samples -> assertThat(samples).containsExactlyInAnyOrderElementsOf(withoutExemplars));
        }
    }
}
