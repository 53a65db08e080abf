package io.promfetcher.exposition;

import static io.promfetcher.exposition.ScrapeStatus.INCLUDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A merge written in steps (as the gateway streams it) gives exactly the bytes of a merge written
 * at once, also when steps of several merges take turns on one thread or move between threads.
 */
class MergedExpositionTest {

    enum Output {
        TEXT(OutputFormat.TEXT_0_0_4), OPENMETRICS(OutputFormat.OPENMETRICS_1_0_0),
        PROTOBUF(OutputFormat.protobuf(EscapingScheme.UNDERSCORES));

        final OutputFormat format;

        Output(OutputFormat format) {
            this.format = format;
        }
    }

    private static List<InstanceScrape> scrapes(String file, int instances) {
        byte[] body = CorpusMergeTest.corpus(file);
        String type = file.endsWith(".om.txt") ? Merging.OM : Merging.TEXT;
        List<InstanceScrape> scrapes = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            scrapes.add(Merging.body(i, new String(body, StandardCharsets.UTF_8), type));
        }
        return scrapes;
    }

    private static byte[] atOnce(List<InstanceScrape> scrapes, OutputFormat format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionMerger.merge(scrapes, format, INCLUDED, out);
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(Output.class)
    void stepsOfMergesTakingTurnsOnOneThreadWriteWhatEachWritesAlone(Output output) throws IOException {
        List<InstanceScrape> node = scrapes("node-exporter-1.5.txt", 3);
        List<InstanceScrape> python = scrapes("python-client-0.16.om.txt", 4);
        MergedExposition a = ExpositionMerger.prepare(node, output.format, INCLUDED);
        MergedExposition b = ExpositionMerger.prepare(python, output.format, INCLUDED);
        ByteArrayOutputStream outA = new ByteArrayOutputStream();
        ByteArrayOutputStream outB = new ByteArrayOutputStream();
        int steps = 0;
        boolean moreA = true;
        boolean moreB = true;
        while (moreA || moreB) {
            if (moreA) {
                moreA = a.writeNext(outA);
                steps++;
            }
            if (moreB) {
                moreB = b.writeNext(outB);
            }
        }
        assertThat(steps).as("one step per family and more").isGreaterThan(50);
        assertThat(outA.toByteArray()).isEqualTo(atOnce(node, output.format));
        assertThat(outB.toByteArray()).isEqualTo(atOnce(python, output.format));
        assertThat(a.done()).isTrue();
        assertThat(a.writeNext(outA)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Output.class)
    void stepsMayRunOnAnyThreadOneAtATime(Output output) throws Exception {
        List<InstanceScrape> node = scrapes("prometheus-2.42.txt", 3);
        MergedExposition merged = ExpositionMerger.prepare(node, output.format, INCLUDED);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            boolean more = true;
            while (more) {
                Future<Boolean> step = threads.submit(() -> merged.writeNext(out));
                more = step.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(out.toByteArray()).isEqualTo(atOnce(node, output.format));
    }

    @ParameterizedTest
    @EnumSource(Output.class)
    void theLargestPartBoundsWhatAnyOneStepWrites(Output output) throws IOException {
        List<InstanceScrape> node = scrapes("node-exporter-1.5.txt", 10);
        MergedExposition merged = ExpositionMerger.prepare(node, output.format, INCLUDED);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long largest = 0;
        boolean more = true;
        while (more) {
            int before = out.size();
            more = merged.writeNext(out);
            largest = Math.max(largest, out.size() - before);
        }
        assertThat(merged.largestPartBytes()).isGreaterThanOrEqualTo(largest).isLessThan(out.size() / 4);
    }

    @ParameterizedTest
    @EnumSource(Output.class)
    void aMergeIsWrittenToOneStream(Output output) throws IOException {
        MergedExposition merged = ExpositionMerger.prepare(scrapes("python-client-0.16.txt", 2), output.format, INCLUDED);
        merged.writeNext(new ByteArrayOutputStream());
        assertThatThrownBy(() -> merged.writeNext(new ByteArrayOutputStream())).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(Output.class)
    void aDiscardedMergeWritesNothingMoreAndReportsWhatItRead(Output output) throws IOException {
        List<InstanceScrape> node = scrapes("node-exporter-1.5.txt", 2);
        MergedExposition merged = ExpositionMerger.prepare(node, output.format, INCLUDED);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        merged.writeNext(out);
        merged.writeNext(out);
        int written = out.size();
        merged.discard();
        merged.discard();
        assertThat(merged.done()).isTrue();
        assertThat(merged.writeNext(out)).isFalse();
        assertThat(out.size()).isEqualTo(written);
        assertThat(merged.report().anyUp()).isTrue();
        // And the next merge on this thread is unaffected by the records handed back.
        assertThat(atOnce(node, output.format)).isEqualTo(atOnce(node, output.format));
    }
}
