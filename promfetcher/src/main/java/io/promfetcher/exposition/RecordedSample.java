package io.promfetcher.exposition;

/**
 * The writers' view of one sample of {@link SampleRecords} (reused from sample to sample): its
 * metric name as bytes and, for the rare sample the records flag {@link SampleRecords#relex},
 * its line lexed again by its instance's parser. Everything it reads belongs to the merge (the
 * instance, its body, the merge's records), so a merge can be written later or elsewhere.
 */
final class RecordedSample {
    private ExpositionMerger.Instance instance;
    private SampleRecords records;
    private int record;
    private boolean relex;
    /** The instance's parser stands on this sample (lexed since {@link #at}). */
    private boolean lexed;
    private byte[] nameBytes;
    private int nameFrom;
    private int nameTo;

    /** Stands on record {@code r} of the instance's samples. */
    RecordedSample at(ExpositionMerger.Instance instance, int r) {
        this.instance = instance;
        this.records = instance.records;
        this.record = r;
        this.relex = records.relex(r);
        this.lexed = false;
        if (relex) {
            ExpositionParser p = parser();
            nameBytes = p.nameBytes();
            nameFrom = p.nameFrom();
            nameTo = p.nameTo();
        } else {
            nameBytes = instance.parser.buffer();
            nameFrom = records.lineStart(r);
            nameTo = records.nameEnd(r);
        }
        return this;
    }

    ExpositionMerger.Instance instance() {
        return instance;
    }

    SampleRecords records() {
        return records;
    }

    int record() {
        return record;
    }

    /** Whether the sample is written from its parsed line ({@link #parser()}) rather than from its record. */
    boolean relexed() {
        return relex;
    }

    /** The body the record's spans index into. */
    byte[] buffer() {
        return instance.parser.buffer();
    }

    /** The format of the body (timestamps in milliseconds or seconds). */
    InputFormat format() {
        return instance.parser.format();
    }

    /** The metric name, unescaped: {@code nameBytes()[nameFrom(), nameTo())}. */
    byte[] nameBytes() {
        return nameBytes;
    }

    int nameFrom() {
        return nameFrom;
    }

    int nameTo() {
        return nameTo;
    }

    /**
     * The instance's parser standing on this sample, its line lexed again (only for what the
     * records do not hold: per-label detail, protobuf's label pairs). Valid until {@link #at}
     * moves this view; lexed once per sample however often it is asked for.
     */
    ExpositionParser parser() {
        ExpositionParser p = instance.parser;
        if (!lexed) {
            p.reread(records.lineStart(record));
            lexed = true;
        }
        return p;
    }

    /** Whether the name ends with {@code suffix}. */
    boolean nameEndsWith(byte[] suffix) {
        int start = nameTo - suffix.length;
        return start >= nameFrom && FamilyIndexer.same(nameBytes, start, suffix, 0, suffix.length);
    }
}
