package io.promfetcher.exposition;

/**
 * One family of the merged output: its identity (the family name as written), its type and
 * metadata as the lowest-index instance gave them, and where each instance's samples of it lie.
 */
final class MergedFamily {
    /** Identity: the family's name in text (see FamilyIndexer.LocalFamily#key). */
    final String key;
    /** The OpenMetrics family name as written; samples are written as it plus their suffix. */
    final String outName;
    /** outName as UTF-8 (never written to: it may be shared with the indexer's records, as the String is). */
    final byte[] outNameBytes;
    final boolean quoted;
    final MetricType type;
    final boolean bareCounter;
    /** The family's name as the lowest-index instance wrote it (unescaped bytes), without suffix (never written to). */
    final byte[] baseName;
    /** HELP as written in the body it came from (escaped), or null. */
    byte[] helpBuf;
    int helpStart;
    int helpEnd;
    boolean helpFromOpenMetrics;
    String unit;
    /** See FamilyIndexer.LocalFamily#badBound: written as untyped in text, which promtool then reads. */
    int badBound;
    /** Some segment comes from OpenMetrics: only then can there be _created, _gcount, _gsum samples. */
    boolean anyOpenMetrics;
    /** Samples of every instance in it, as indexed (an estimate of its output's size needs them). */
    int samples;
    /** Bytes of the bodies its samples' lines span, as indexed (for the same estimate). */
    long inputBytes;
    /** Segments packed in arrays (one object per segment would cost more than the samples). */
    private ExpositionMerger.Instance[] segmentInstances;
    private int[] segmentData;
    int segmentCount;

    /**
     * Records {@code [start, end)} of the merge's {@link SampleRecords} are samples of the family
     * from one instance's body; {@code nameLength} is the byte length of the family name there. A
     * reusable view filled by {@link #segment}.
     */
    static final class Segment {
        private ExpositionMerger.Instance instance;
        private int start;
        private int end;
        private int nameLength;
        private boolean foreign;

        ExpositionMerger.Instance instance() {
            return instance;
        }

        int start() {
            return start;
        }

        int end() {
            return end;
        }

        int nameLength() {
            return nameLength;
        }

        /**
         * The instance gave the family another type: only its samples whose name is the
         * family's {@link #baseName} plus a suffix the family's type writes can be written.
         */
        boolean foreign() {
            return foreign;
        }
    }

    void addSegment(ExpositionMerger.Instance instance, int start, int end, int nameLength, boolean foreign) {
        if (segmentCount == segmentInstances.length) {
            segmentInstances = java.util.Arrays.copyOf(segmentInstances, segmentCount * 2);
            segmentData = java.util.Arrays.copyOf(segmentData, segmentCount * 2 * STRIDE);
        }
        segmentInstances[segmentCount] = instance;
        int d = segmentCount * STRIDE;
        segmentData[d] = start;
        segmentData[d + 1] = end;
        segmentData[d + 2] = nameLength;
        segmentData[d + 3] = foreign ? 1 : 0;
        segmentCount++;
    }

    private static final int STRIDE = 4;

    /** Fills {@code into} with segment {@code i} and returns it. */
    Segment segment(int i, Segment into) {
        into.instance = segmentInstances[i];
        int d = i * STRIDE;
        into.start = segmentData[d];
        into.end = segmentData[d + 1];
        into.nameLength = segmentData[d + 2];
        into.foreign = segmentData[d + 3] != 0;
        return into;
    }

    /** {@code instances}: how many segments to expect (usually one per instance). */
    MergedFamily(String key, String outName, byte[] outNameBytes, boolean quoted, MetricType type, boolean bareCounter,
            int instances, byte[] baseName) {
        this.segmentInstances = new ExpositionMerger.Instance[Math.max(1, instances)];
        this.segmentData = new int[STRIDE * Math.max(1, instances)];
        this.baseName = baseName;
        this.key = key;
        this.outName = outName;
        this.outNameBytes = outNameBytes;
        this.quoted = quoted;
        this.type = type;
        this.bareCounter = bareCounter;
    }

    String help() {
        return ExpositionParser.unescapeHelp(helpBuf, helpStart, helpEnd, helpFromOpenMetrics);
    }

    boolean sameType(FamilyIndexer.LocalFamily f) {
        return type == f.type && bareCounter == f.bareCounter;
    }
}
