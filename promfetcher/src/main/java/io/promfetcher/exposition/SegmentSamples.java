package io.promfetcher.exposition;

/**
 * Reads the samples of one segment of a merged family again (the writers' pass), skipping the
 * duplicates the indexing pass found. Reuses the instance's parser: one segment at a time.
 */
final class SegmentSamples {
    private ExpositionParser parser;
    private ExpositionMerger.Instance instance;
    private int skippedIndex;

    /** Positions on the segment and returns the parser that {@link #next()} advances. */
    ExpositionParser open(MergedFamily.Segment segment) {
        instance = segment.instance();
        parser = instance.parser;
        parser.reset(segment.start(), segment.end(), segment.line());
        int lo = 0;
        int hi = instance.skippedCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (instance.skipped[mid] < segment.start()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        skippedIndex = lo;
        return parser;
    }

    /** Advances to the next sample that is not a duplicate; false at the segment's end. */
    boolean next() {
        while (true) {
            ExpositionParser.Entry e = parser.next();
            if (e == ExpositionParser.Entry.END) {
                return false;
            }
            if (e != ExpositionParser.Entry.SAMPLE) {
                continue;
            }
            while (skippedIndex < instance.skippedCount && instance.skipped[skippedIndex] < parser.entryStart()) {
                skippedIndex++;
            }
            if (skippedIndex < instance.skippedCount && instance.skipped[skippedIndex] == parser.entryStart()) {
                continue;
            }
            return true;
        }
    }
}
