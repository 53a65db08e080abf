package io.promfetcher.exposition;

import static io.promfetcher.exposition.ScrapeStatus.INCLUDED;
import static io.promfetcher.exposition.ScrapeStatus.OMITTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real expositions (copies of ../shared/corpus in src/test/resources/corpus) merged from several
 * instances: nothing lost, nothing added, in every combination of input and output format.
 */
class CorpusMergeTest {
    static final List<String> FILES = List.of("node-exporter-1.5.txt", "prometheus-2.42.txt",
            "python-client-0.16.txt", "python-client-0.16.om.txt");

    static byte[] corpus(String file) {
        try (InputStream in = CorpusMergeTest.class.getResourceAsStream("/corpus/" + file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InputFormat formatOf(String file) {
        return file.endsWith(".om.txt") ? InputFormat.OPENMETRICS_TEXT : InputFormat.PROMETHEUS_TEXT;
    }

    static Stream<Arguments> filesAndOutputs() {
        List<Arguments> args = new ArrayList<>();
        for (String file : FILES) {
            args.add(Arguments.of(file, OutputFormat.TEXT_0_0_4));
            args.add(Arguments.of(file, OutputFormat.OPENMETRICS_1_0_0));
        }
        return args.stream();
    }

    private static List<InstanceScrape> instances(String file, int count) {
        List<InstanceScrape> scrapes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String contentType = formatOf(file) == InputFormat.OPENMETRICS_TEXT ? Merging.OM : Merging.TEXT;
            scrapes.add(new InstanceScrape.Body(Merging.target(i), corpus(file), contentType, java.time.Duration.ofMillis(5)));
        }
        return scrapes;
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("filesAndOutputs")
    void threeInstancesOfACorpusFileMergeLosslessly(String file, OutputFormat output) {
        Merging.Result result = Merging.merge(output, INCLUDED, instances(file, 3));
        List<String> expected = Merging.samples(formatOf(file), corpus(file));
        InputFormat outputFormat = output.isOpenMetrics() ? InputFormat.OPENMETRICS_TEXT : InputFormat.PROMETHEUS_TEXT;
        boolean exemplarsKept = output.isOpenMetrics();
        Map<String, List<String>> merged = Merging.samplesByInstance(outputFormat, result.output(), exemplarsKept);
        assertThat(merged).hasSize(3);
        for (List<String> samples : merged.values()) {
            if (formatOf(file) == outputFormat) {
                assertThat(samples).isEqualTo(expected);
            } else {
                assertThat(samples).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
        for (MergeReport.InstanceOutcome outcome : result.report().instances()) {
            assertThat(outcome.up()).isTrue();
            assertThat(outcome.samples()).isEqualTo(expected.size());
            assertThat(outcome.duplicates()).isZero();
            assertThat(outcome.conflicts()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filesAndOutputs")
    void metadataSurvivesInTheSameFormat(String file, OutputFormat output) {
        InputFormat in = formatOf(file);
        if ((in == InputFormat.OPENMETRICS_TEXT) != output.isOpenMetrics()) {
            return;
        }
        String merged = Merging.merge(output, OMITTED, instances(file, 2)).output();
        List<String> expected = Merging.metadata(in, new String(corpus(file), java.nio.charset.StandardCharsets.UTF_8));
        List<String> actual = Merging.metadata(in, merged);
        if (in == InputFormat.PROMETHEUS_TEXT) {
            // Text input without TYPE gets an explicit "untyped" in the output: the only addition.
            actual.removeIf(line -> line.startsWith("TYPE ") && line.endsWith(" unknown") && !expected.contains(line));
            assertThat(actual).isEqualTo(expected);
        } else {
            assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filesAndOutputs")
    void everyCorpusFileAsOneAppAccountsForEverySample(String ignored, OutputFormat output) {
        List<InstanceScrape> scrapes = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < FILES.size(); i++) {
            String file = FILES.get(i);
            scrapes.add(Merging.body(i, new String(corpus(file), java.nio.charset.StandardCharsets.UTF_8),
                    formatOf(file) == InputFormat.OPENMETRICS_TEXT ? Merging.OM : Merging.TEXT));
            total += Merging.samples(formatOf(file), corpus(file)).size();
        }
        Merging.Result result = Merging.merge(output, INCLUDED, scrapes);
        int accounted = result.report().instances().stream()
                .mapToInt(o -> o.samples() + o.duplicates() + o.conflicts()).sum();
        assertThat(accounted).isEqualTo(total);
        InputFormat outputFormat = output.isOpenMetrics() ? InputFormat.OPENMETRICS_TEXT : InputFormat.PROMETHEUS_TEXT;
        int written = Merging.samplesByInstance(outputFormat, result.output(), false).values().stream()
                .mapToInt(List::size).sum();
        assertThat(written).isEqualTo(result.report().instances().stream().mapToInt(o -> o.samples()).sum());
    }

    @org.junit.jupiter.api.Test
    void aBigAppIsWrittenAsItIsMergedInSmallChunks() throws java.io.IOException {
        // 200 instances: the output (~25 MB) must reach the stream in pieces, never held whole.
        List<InstanceScrape> scrapes = instances("node-exporter-1.5.txt", 200);
        int[] largestWrite = {0};
        long[] total = {0};
        java.io.OutputStream out = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                total[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                largestWrite[0] = Math.max(largestWrite[0], len);
                total[0] += len;
            }
        };
        MergeReport report = ExpositionMerger.merge(scrapes, OutputFormat.OPENMETRICS_1_0_0, INCLUDED, out);
        assertThat(report.instances()).allMatch(MergeReport.InstanceOutcome::up);
        assertThat(total[0]).isGreaterThan(20L << 20);
        assertThat(largestWrite[0]).isLessThanOrEqualTo(8192);
    }
}
