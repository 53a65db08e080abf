package io.promfetcher.exposition;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_1.Metrics;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A merge whose bodies have been read ({@link ExpositionMerger#prepare}) and whose output is
 * written in steps: {@link #writeNext} writes the next part — the first family, then one family
 * per call, then the scrape status families, then the end — so a caller can send each part to
 * the socket before the next is made and hold a window of the output, never all of it.
 *
 * <p>Between steps the merge holds only references: the bodies, the family index and the
 * writer's small state; a step may run on any thread (one at a time). Not thread-safe.
 */
public final class MergedExposition {
    private final OutputFormat format;
    private final ScrapeStatus status;
    private final List<ExpositionMerger.Instance> instances;
    private final List<ExpositionMerger.Instance> labelled;
    private final Map<String, MergedFamily> families;
    private final List<MergedFamily> order;
    private final List<List<Map.Entry<ExpositionMerger.Instance, Metrics.MetricFamily>>> protobufFamilies;
    private final long largestFamilyBytes;
    /** What the indexing pass recorded of the samples: read by every step, handed back after the last. */
    private final SampleRecords records;
    private final long recordedBytes;

    private OutputStream out;
    private ByteSink sink;
    private ExpositionWriter writer;
    /** Parts written so far: start, the families, the protobuf families, the status, the end. */
    private int written;
    private final int parts;

    MergedExposition(OutputFormat format, ScrapeStatus status, List<ExpositionMerger.Instance> instances,
                     List<ExpositionMerger.Instance> supplements, Map<String, MergedFamily> families,
                     Map<String, List<Map.Entry<ExpositionMerger.Instance, Metrics.MetricFamily>>> protobufFamilies,
                     SampleRecords records) {
        this.format = format;
        this.status = status;
        this.instances = instances;
        this.labelled = new ArrayList<>(instances);
        this.labelled.addAll(supplements); // supplements carry their instance's labels too
        this.families = families;
        this.order = new ArrayList<>(families.values());
        this.protobufFamilies = new ArrayList<>(protobufFamilies.values());
        this.parts = 1 + order.size() + this.protobufFamilies.size() + 2;
        this.largestFamilyBytes = largestFamilyBytes(labelled, order, this.protobufFamilies);
        this.records = records;
        this.recordedBytes = records.bytes();
    }

    /**
     * Bytes this merge holds beside the bodies until its output is written: what the indexing
     * pass recorded of each sample (offsets and spans, about 24 bytes a sample, in arrays grown
     * geometrically). For the memory budget.
     */
    public long recordedBytes() {
        return recordedBytes;
    }

    /**
     * What happened to each instance, in output order. Which instances are up is known as soon as
     * the bodies are read; the sample, duplicate and conflict counts are final once the output is
     * written ({@link #done()}): writing drops what the output format cannot hold.
     */
    public MergeReport report() {
        List<MergeReport.InstanceOutcome> outcomes = new ArrayList<>(instances.size());
        for (ExpositionMerger.Instance i : instances) {
            outcomes.add(i.outcome());
        }
        return new MergeReport(outcomes);
    }

    /**
     * Writes the next part of the output to {@code out} (the same stream at every call) and says
     * whether more is to come. IOExceptions come from {@code out} only.
     */
    public boolean writeNext(OutputStream out) throws IOException {
        if (done()) {
            return false;
        }
        if (writer == null) {
            this.out = out;
            sink = new ByteSink(out);
            writer = ExpositionWriter.forFormat(format, sink, status == ScrapeStatus.INCLUDED, families.keySet());
        } else if (out != this.out) {
            throw new IllegalArgumentException("a merge is written to one stream");
        }
        sink.begin();
        try {
            writePart(written);
            written++;
        } finally {
            sink.end();
        }
        return !done();
    }

    private void writePart(int part) throws IOException {
        if (part == 0) {
            writer.start(labelled);
            return;
        }
        int i = part - 1;
        if (i < order.size()) {
            writer.family(order.get(i));
            return;
        }
        i -= order.size();
        if (i < protobufFamilies.size()) {
            ((ProtobufWriter) writer).protobufFamily(protobufFamilies.get(i));
            return;
        }
        if (i == protobufFamilies.size()) {
            if (status == ScrapeStatus.INCLUDED) {
                writer.scrapeStatus(instances);
            }
            return;
        }
        writer.finish();
        records.release(); // the output is finished: nothing reads the records any more
    }

    /**
     * The rest of the output will not be written (the caller went away, or a step failed):
     * hands back what the merge holds for writing. Later steps write nothing. Not while a step runs.
     */
    public void discard() {
        if (!done()) {
            written = parts;
            records.release();
        }
    }

    /** Writes the whole output (what is left of it) to {@code out}. */
    public void writeAll(OutputStream out) throws IOException {
        while (writeNext(out)) {
            // one part per call
        }
    }

    /** Whether the whole output has been written. */
    public boolean done() {
        return written == parts;
    }

    /**
     * About the most one step writes: the output of the largest family, each sample with its
     * instance's target labels (the scrape status families are smaller: one sample per
     * instance). What a caller sending step by step holds at most beyond its window.
     */
    public long largestPartBytes() {
        long status = 6L * 64 * (instances.size() + 1) + instances.stream().mapToLong(i -> 6L * i.target.writtenBytes()).sum();
        return Math.max(largestFamilyBytes, status) + 4096;
    }

    private static long largestFamilyBytes(List<ExpositionMerger.Instance> labelled, List<MergedFamily> families,
                                           List<List<Map.Entry<ExpositionMerger.Instance, Metrics.MetricFamily>>> protobuf) {
        long labels = 0;
        for (ExpositionMerger.Instance i : labelled) {
            labels = Math.max(labels, i.target.writtenBytes());
        }
        long largest = 0;
        for (MergedFamily f : families) {
            // metadata lines, each sample's labels, and the samples' lines as the bodies wrote them
            long bytes = 512 + (long) f.samples * labels + f.inputBytes;
            largest = Math.max(largest, bytes);
        }
        for (List<Map.Entry<ExpositionMerger.Instance, Metrics.MetricFamily>> group : protobuf) {
            long bytes = 512;
            for (Map.Entry<ExpositionMerger.Instance, Metrics.MetricFamily> e : group) {
                bytes += e.getValue().getSerializedSize() + (long) e.getValue().getMetricCount() * labels;
            }
            largest = Math.max(largest, bytes);
        }
        return largest;
    }
}
