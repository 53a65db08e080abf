package io.promfetcher.exposition;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes the merged exposition as OpenMetrics 1.0.0. Up-conversion from text: untyped is
 * unknown, a counter without {@code _total} is unknown (never renamed), millisecond timestamps
 * become seconds. Exemplars are written where OpenMetrics 1.0 has them (counter totals and
 * buckets); Prometheus 2 refuses any other.
 */
final class OpenMetricsWriter extends LineWriter {
    /** OpenMetrics family names already written. */
    private final Set<String> openMetricsNames = new HashSet<>();

    OpenMetricsWriter(ByteSink sink, OutputFormat format, boolean statusIncluded, Set<String> keys) {
        super(sink, InputFormat.OPENMETRICS_TEXT, format, statusIncluded, keys);
    }

    @Override
    public void family(MergedFamily f) throws IOException {
        if (!f.outName.equals(f.key) && (keys.contains(f.outName) || openMetricsNames.contains(f.outName))) {
            // Text's gauge foo beside counter foo_total: OpenMetrics cannot have two families foo,
            // so this one keeps its main series under its text name, as unknown, rather than
            // rename them. Its other series (foo_created) would then belong to no family: they
            // are dropped and counted as conflicts. No UNIT: it would not be the name's suffix.
            openMetricsNames.add(f.key);
            List<TextPart> parts = textParts(f);
            TextPart main = parts.get(0);
            metadataStart("# TYPE ", f, main.suffix());
            sink.ascii("unknown\n");
            help(f, main.suffix());
            for (TextPart part : parts) {
                for (int s = 0; s < f.segmentCount; s++) {
                    samples(f, f.segment(s, cursor), part, part != main);
                }
            }
            return;
        }
        openMetricsNames.add(f.outName);
        metadataStart("# TYPE ", f, "");
        sink.ascii(f.bareCounter ? "unknown" : f.type.openMetricsName());
        sink.write((byte) '\n');
        if (f.unit != null && !f.unit.isEmpty()) {
            metadataStart("# UNIT ", f, "");
            sink.utf8(f.unit);
            sink.write((byte) '\n');
        }
        help(f, "");
        for (int s = 0; s < f.segmentCount; s++) {
            samples(f, f.segment(s, cursor), null, false);
        }
    }

    @Override
    public void finish() throws IOException {
        sink.ascii("# EOF\n");
        sink.flush();
    }

    @Override
    boolean suffixFits(MergedFamily f, byte[] b, int start, int end) {
        int rest = end - start;
        MetricType written = f.bareCounter ? MetricType.UNKNOWN : f.type;
        for (byte[] suffix : written.suffixBytes(InputFormat.OPENMETRICS_TEXT)) {
            if (suffix.length == rest && FamilyIndexer.same(b, start, suffix, 0, rest)) {
                return true;
            }
        }
        return false;
    }

    @Override
    String convertTimestamp(byte[] b, int start, int end) {
        return millisecondsToSeconds(b, start, end);
    }

    @Override
    boolean keepsExemplar(RecordedSample s) {
        return s.nameEndsWith(TOTAL) || s.nameEndsWith(BUCKET);
    }

    @Override
    boolean helpEscapesQuotes() {
        return true;
    }

    @Override
    void statusMetadata(byte[] name, StatusFamily family) throws IOException {
        metadata("# TYPE ", name, "gauge");
        if (family.unit().isPresent()) {
            metadata("# UNIT ", name, family.unit().get());
        }
        metadata("# HELP ", name, family.help());
    }
}
