package io.promfetcher.exposition;

import java.util.ArrayList;
import java.util.List;

/**
 * One family of the merged output: its identity (the family name as written), its type and
 * metadata as the lowest-index instance gave them, and where each instance's samples of it lie.
 */
final class MergedFamily {
    /** Identity: the family's name in text (see FamilyIndexer.LocalFamily#key). */
    final String key;
    /** The OpenMetrics family name as written; samples are written as it plus their suffix. */
    final String outName;
    final byte[] outNameBytes;
    final boolean quoted;
    final MetricType type;
    final boolean bareCounter;
    String help;
    String unit;
    final List<Segment> segments = new ArrayList<>();

    /** Lines {@code [start, end)} of one instance's body, starting at line {@code line}, hold samples of the family. */
    record Segment(ExpositionMerger.Instance instance, int start, int end, int line, int nameLength) {}

    MergedFamily(String key, String outName, boolean quoted, MetricType type, boolean bareCounter) {
        this.key = key;
        this.outName = outName;
        this.outNameBytes = outName.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.quoted = quoted;
        this.type = type;
        this.bareCounter = bareCounter;
    }

    boolean sameType(FamilyIndexer.LocalFamily f) {
        return type == f.type && bareCounter == f.bareCounter;
    }
}
