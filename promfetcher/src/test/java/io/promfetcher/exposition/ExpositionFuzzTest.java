package io.promfetcher.exposition;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import io.promfetcher.testkit.Promtool;
import java.util.List;

/**
 * Fuzz test of parser and merger: whatever the bytes, parsing fails only with the parser's own
 * error, merging never throws, the merged output always parses (strictly, without duplicate
 * series), and its text 0.0.4 form is read by the real promtool (sampled while fuzzing). In a normal build it replays the seeds in
 * src/test/resources/.../ExpositionFuzzTestInputs; {@code JAZZER_FUZZ=1} makes it fuzz (see
 * docs/exposition.md for the command and duration).
 */
class ExpositionFuzzTest {
    private static final OutputFormat[] OUTPUTS = {
        OutputFormat.TEXT_0_0_4,
        OutputFormat.OPENMETRICS_1_0_0,
        OutputFormat.text1(EscapingScheme.ALLOW_UTF_8),
        OutputFormat.openMetrics(EscapingScheme.ALLOW_UTF_8),
    };

    /**
     * Byte 0 chooses the input format (bit 0) and the output format (bits 1-2; bit 3: protobuf);
     * the rest is the body, also read as protobuf by a third instance.
     */
    @FuzzTest(maxDuration = "2m")
    void mergeNeverThrowsAndAlwaysWritesOutputThatParses(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        InputFormat in = (data[0] & 1) == 0 ? InputFormat.PROMETHEUS_TEXT : InputFormat.OPENMETRICS_TEXT;
        InputFormat other = in == InputFormat.PROMETHEUS_TEXT ? InputFormat.OPENMETRICS_TEXT : InputFormat.PROMETHEUS_TEXT;
        OutputFormat output = (data[0] & 8) != 0 ? OutputFormat.protobuf(EscapingScheme.UNDERSCORES)
                : OUTPUTS[(data[0] >> 1) & 3];

        ExpositionParser parser = ExpositionParser.create(in, data, 1, data.length - 1);
        try {
            while (parser.next() != ExpositionParser.Entry.END) {
                if (parser.format() != in) {
                    throw new AssertionError("parser changed format");
                }
            }
        } catch (ExpositionParseException expected) {
            // The only exception bad input may cause.
        }

        // The same bytes as two instances, one read in each format, plus a failed instance.
        List<InstanceScrape> scrapes = List.of(
                new InstanceScrape.Body(Merging.target(0), data, 1, data.length - 1, contentType(in), Duration.ZERO),
                new InstanceScrape.Body(Merging.target(1), data, 1, data.length - 1, contentType(other), Duration.ZERO),
                new InstanceScrape.Body(Merging.target(3), data, 1, data.length - 1, FidelityCases.PROTOBUF, Duration.ZERO),
                new InstanceScrape.Failure(Merging.target(2), FailureReason.TIMEOUT, Duration.ZERO));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionMerger.merge(scrapes, output, ScrapeStatus.INCLUDED, out);
        Merging.checkParses(output, out.toByteArray());
        if (output == OutputFormat.TEXT_0_0_4 && promtoolThisTime(data)) {
            // Differential: what we write, the real promtool (Prometheus' own text parser) reads.
            Promtool.Verdict verdict = Promtool.checkMetrics(out.toByteArray());
            if (!verdict.parses()) {
                throw new AssertionError("promtool refuses the merged output: " + verdict.output());
            }
        }
    }

    /**
     * Every seed when replaying; while fuzzing one input in 64 (a promtool process costs ~10 ms,
     * two orders of magnitude more than a merge).
     */
    private static boolean promtoolThisTime(byte[] data) {
        return System.getenv("JAZZER_FUZZ") == null || (java.util.Arrays.hashCode(data) & 63) == 0;
    }

    private static String contentType(InputFormat format) {
        return format == InputFormat.OPENMETRICS_TEXT ? Merging.OM : Merging.TEXT;
    }
}
