package io.promfetcher.exposition;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Writes the merged exposition as Prometheus text 0.0.4 (or 1.0.0, which may quote UTF-8
 * names). Down-conversion from OpenMetrics as Prometheus stores what it scrapes: see
 * {@link LineWriter}. A family's series whose text name another family has are dropped and
 * counted (writing both would not parse).
 */
final class TextWriter extends LineWriter {

    TextWriter(ByteSink sink, OutputFormat format, boolean statusIncluded, Set<String> keys) {
        super(sink, InputFormat.PROMETHEUS_TEXT, format, statusIncluded, keys);
    }

    @Override
    public void family(MergedFamily f) throws IOException {
        for (TextPart part : textParts(f)) {
            textPart(f, part);
        }
    }

    @Override
    public void finish() throws IOException {
        sink.flush();
    }

    private void textPart(MergedFamily f, TextPart part) throws IOException {
        if (part.main() && f.type != MetricType.GAUGE_HISTOGRAM) {
            // The main part's name is the family's key, which no other family has.
            help(f, part.suffix());
            metadataStart("# TYPE ", f, part.suffix());
            // promtool (Prometheus' common/expfmt) refuses a histogram bucket whose le, or a
            // summary quantile, is not a float; Prometheus stores them: untyped keeps them all.
            boolean badBound = (f.type == MetricType.HISTOGRAM && (f.badBound & 1) != 0)
                    || (f.type == MetricType.SUMMARY && (f.badBound & 2) != 0);
            sink.ascii(badBound ? "untyped" : part.textType());
            sink.write((byte) '\n');
            for (int s = 0; s < f.segmentCount; s++) {
                samples(f, f.segment(s, cursor), part, false);
            }
            return;
        }
        if (!f.anyOpenMetrics) {
            return;
        }
        // The other parts (foo_created, a gauge histogram's foo_bucket, ...) exist only when
        // samples need them, and only when their name is free: a family's own name (text's gauge
        // foo_created beside counter foo_total is common) or an earlier part's.
        Boolean free = null;
        for (int s = 0; s < f.segmentCount; s++) {
            MergedFamily.Segment segment = f.segment(s, cursor);
            if (free == null && hasSample(f, segment, part)) {
                String textName = f.outName + part.suffix();
                free = !keys.contains(textName) && !strays.contains(textName) && textNames.add(textName);
                if (free) {
                    if (part.main()) {
                        help(f, part.suffix());
                    }
                    metadataStart("# TYPE ", f, part.suffix());
                    sink.ascii(part.textType());
                    sink.write((byte) '\n');
                }
            }
            if (free != null) {
                // When the name is taken, writing both would not parse: these samples are
                // dropped and counted as conflicts.
                samples(f, segment, part, !free);
            }
        }
    }

    private boolean hasSample(MergedFamily f, MergedFamily.Segment segment, TextPart part) {
        for (int r = segment.start(); r < segment.end(); r++) {
            if (inPart(current.at(segment.instance(), r), segment, part, textParts(f))) {
                return true;
            }
        }
        return false;
    }

    @Override
    boolean suffixFits(MergedFamily f, byte[] b, int start, int end) {
        return true; // a family's parts take any suffix (the main part the ones no other part has)
    }

    @Override
    String convertTimestamp(byte[] b, int start, int end) {
        return secondsToMilliseconds(b, start, end);
    }

    @Override
    boolean keepsExemplar(RecordedSample s) {
        return false;
    }

    @Override
    boolean helpEscapesQuotes() {
        return false;
    }

    @Override
    void statusMetadata(byte[] name, StatusFamily family) throws IOException {
        metadata("# HELP ", name, family.help());
        metadata("# TYPE ", name, "gauge");
    }
}
