package io.promfetcher.exposition;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * What the indexing pass of one merge recorded of every sample it kept, so that the writers copy
 * bytes without parsing the bodies again: per sample the offset of its line in its instance's
 * body and, as 16-bit distances from it, the spans the writer copies (name, label section, value,
 * timestamp, exemplar) and the flags it checks. Records are numbered in the order they were
 * added; a family's run of samples is a range of record numbers.
 *
 * <p>A sample the fast path cannot write from spans alone is flagged {@link #relex}: the writer
 * lexes that one line again. That is the rare case: a quoted or escaped metric name, a label set
 * that is not canonical ({@code a="x",b="y"}: no blanks, no quoted names, no escape but
 * {@code \\ \" \n}), a label the output renames ({@code exported_*}, the {@code dots} escaping),
 * an exemplar that is not copied as written, or a line longer than 64 KiB.
 *
 * <p>Owned by one merge: every instance of it appends to the same records, the writers read them
 * until the output is finished, possibly later and on another thread. {@link #take} and
 * {@link #release} reuse the arrays across merges through a shared pool; a merge hands its
 * records back only once its output is finished, and nothing else holds them meanwhile.
 */
final class SampleRecords {
    /** The line must be lexed again to be written (see the class comment). */
    static final int RELEX = 1;
    static final int TIMESTAMP = 2;
    static final int EXEMPLAR = 4;

    private static final int NAME_END = 0;
    private static final int LABELS_START = 1;
    private static final int LABELS_END = 2;
    private static final int VALUE_START = 3;
    private static final int VALUE_END = 4;
    private static final int TIMESTAMP_START = 5;
    private static final int TIMESTAMP_END = 6;
    private static final int EXEMPLAR_START = 7;
    private static final int EXEMPLAR_END = 8;
    private static final int FLAGS = 9;
    /** 16-bit fields per record. */
    private static final int STRIDE = 10;
    private static final int MAX_DISTANCE = 0xffff;

    /** Records kept for reuse; beyond this many (or this size) they are left to the collector. */
    private static final ArrayBlockingQueue<SampleRecords> POOL =
            new ArrayBlockingQueue<>(Runtime.getRuntime().availableProcessors() + 1);
    /** A pooled record set keeps at most this many records' arrays (24 bytes each: 6 MB). */
    private static final int POOLED_RECORDS = 1 << 18;

    private int[] lineStarts;
    private char[] fields;
    private int size;

    private SampleRecords(int capacity) {
        lineStarts = new int[capacity];
        fields = new char[capacity * STRIDE];
    }

    /** Empty records for one merge: pooled ones when there are, else new. */
    static SampleRecords take() {
        SampleRecords records = POOL.poll();
        return records != null ? records : new SampleRecords(256);
    }

    /**
     * Hands the records back once the merge's output is finished; they must not be read after
     * this. Idempotent only in the sense that a second call is a bug: callers release once.
     */
    void release() {
        size = 0;
        if (lineStarts.length <= POOLED_RECORDS) {
            POOL.offer(this);
        }
    }

    int size() {
        return size;
    }

    /** Bytes the recorded spans take (the arrays as allocated), for the memory budget. */
    long bytes() {
        return 4L * lineStarts.length + 2L * fields.length;
    }

    /**
     * Records the sample the parser stands on. {@code fast}: its name is plain (unquoted) and its
     * labels are canonical and written as they are; else, or when a distance does not fit 16 bits,
     * the writer lexes it again.
     */
    void add(ExpositionParser p, boolean fast, int labelsStart, int labelsEnd, int exemplarStart, int exemplarEnd) {
        if (size == lineStarts.length) {
            lineStarts = Arrays.copyOf(lineStarts, size * 2);
            fields = Arrays.copyOf(fields, size * 2 * STRIDE);
        }
        int line = p.entryStart();
        lineStarts[size] = line;
        int f = size * STRIDE;
        size++;
        int flags = 0;
        if (p.hasTimestamp()) {
            flags |= TIMESTAMP;
        }
        if (p.hasExemplar()) {
            flags |= EXEMPLAR;
        }
        int last = p.hasExemplar() ? exemplarEnd : p.hasTimestamp() ? p.timestampEnd() : p.valueEnd();
        if (!fast || last - line > MAX_DISTANCE || p.nameFrom() != line) {
            fields[f + FLAGS] = (char) (flags | RELEX);
            return;
        }
        fields[f + NAME_END] = (char) (p.nameTo() - line);
        fields[f + LABELS_START] = (char) (labelsStart - line);
        fields[f + LABELS_END] = (char) (labelsEnd - line);
        fields[f + VALUE_START] = (char) (p.valueStart() - line);
        fields[f + VALUE_END] = (char) (p.valueEnd() - line);
        if (p.hasTimestamp()) {
            fields[f + TIMESTAMP_START] = (char) (p.timestampStart() - line);
            fields[f + TIMESTAMP_END] = (char) (p.timestampEnd() - line);
        }
        if (p.hasExemplar()) {
            fields[f + EXEMPLAR_START] = (char) (exemplarStart - line);
            fields[f + EXEMPLAR_END] = (char) (exemplarEnd - line);
        }
        fields[f + FLAGS] = (char) flags;
    }

    /** Forgets the records from {@code from} on (a body that turned out not to parse). */
    void truncate(int from) {
        size = from;
    }

    /**
     * Removes the records whose numbers {@code dropped[0, count)} (ascending) lists, moving the
     * later ones down; {@link #renumbered} tells where a record number moved.
     */
    void remove(int[] dropped, int count) {
        if (count == 0) {
            return;
        }
        int to = dropped[0];
        int d = 0;
        for (int r = dropped[0]; r < size; r++) {
            if (d < count && dropped[d] == r) {
                d++;
                continue;
            }
            lineStarts[to] = lineStarts[r];
            System.arraycopy(fields, r * STRIDE, fields, to * STRIDE, STRIDE);
            to++;
        }
        size = to;
    }

    /** The number record {@code r} has after {@link #remove} of {@code dropped[0, count)} (r itself kept, or a range end). */
    static int renumbered(int r, int[] dropped, int count) {
        int lo = 0;
        int hi = count;
        while (lo < hi) { // how many dropped records come before r
            int mid = (lo + hi) >>> 1;
            if (dropped[mid] < r) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return r - lo;
    }

    // ---- reading one record (absolute offsets into its instance's body) ----

    int lineStart(int r) {
        return lineStarts[r];
    }

    private int flags(int r) {
        return fields[r * STRIDE + FLAGS];
    }

    boolean relex(int r) {
        return (flags(r) & RELEX) != 0;
    }

    boolean hasTimestamp(int r) {
        return (flags(r) & TIMESTAMP) != 0;
    }

    boolean hasExemplar(int r) {
        return (flags(r) & EXEMPLAR) != 0;
    }

    private int at(int r, int field) {
        return lineStarts[r] + fields[r * STRIDE + field];
    }

    int nameEnd(int r) {
        return at(r, NAME_END);
    }

    /** The label section as written, {@code a="x",b="y"} (empty when there are no labels). */
    int labelsStart(int r) {
        return at(r, LABELS_START);
    }

    int labelsEnd(int r) {
        return at(r, LABELS_END);
    }

    int valueStart(int r) {
        return at(r, VALUE_START);
    }

    int valueEnd(int r) {
        return at(r, VALUE_END);
    }

    int timestampStart(int r) {
        return at(r, TIMESTAMP_START);
    }

    int timestampEnd(int r) {
        return at(r, TIMESTAMP_END);
    }

    /** The exemplar as written from its opening brace: {@code {a="x"} 1.5 123.4}. */
    int exemplarStart(int r) {
        return at(r, EXEMPLAR_START);
    }

    int exemplarEnd(int r) {
        return at(r, EXEMPLAR_END);
    }
}
