package io.promfetcher.exposition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one pass of a merge over one body: parses it completely (so a broken body is refused before
 * anything of it is written), groups its samples into families as Prometheus does, finds
 * duplicate series, and records in the merge's {@link SampleRecords} what the writer needs of
 * each sample kept (offsets and spans, not copies), so that writing does not parse again. Each
 * family's samples are runs of record numbers.
 *
 * <p>Instances of one app expose the same families in the same order, so the per-family records
 * are pooled and reused from one body to the next (and, one indexer per thread, from one merge to
 * the next), names included when they are byte-for-byte the same: in steady state indexing
 * allocates little beyond what a body adds that the previous one had not.
 */
final class FamilyIndexer {
    private static final byte[][] TEXT_GROUP_SUFFIXES = {
        "_bucket".getBytes(StandardCharsets.US_ASCII),
        "_count".getBytes(StandardCharsets.US_ASCII),
        "_sum".getBytes(StandardCharsets.US_ASCII),
    };
    private static final byte[][] OPENMETRICS_GROUP_SUFFIXES = java.util.stream.Stream.of("_total", "_created",
            "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info")
            .map(x -> x.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    /**
     * One indexer per thread and escaping, kept between merges: its arrays grow to the largest
     * body the thread has seen, and its records keep their names, so a gateway in steady state
     * does not reallocate them for every scrape. {@link #release} drops its references to bodies.
     */
    private static final ThreadLocal<java.util.EnumMap<EscapingScheme, FamilyIndexer>> PER_THREAD =
            ThreadLocal.withInitial(() -> new java.util.EnumMap<>(EscapingScheme.class));

    private final EscapingScheme escaping;
    private final LabelNaming naming;
    private final SeriesLog seen = new SeriesLog();
    /** Record numbers of the duplicates of the body being indexed (reused within one call). */
    private int[] dropped = new int[16];
    private int droppedCount;
    private final List<LocalFamily> pool = new ArrayList<>();
    private final NameTable byName = new NameTable();
    /** The families of the body being indexed (reused: valid until the next body). */
    private final List<LocalFamily> families = new ArrayList<>();

    FamilyIndexer(EscapingScheme escaping) {
        this.escaping = escaping;
        this.naming = new LabelNaming(escaping);
    }

    /** This thread's indexer for the escaping (merges do not nest, so one is enough). */
    static FamilyIndexer forThread(EscapingScheme escaping) {
        return PER_THREAD.get().computeIfAbsent(escaping, FamilyIndexer::new);
    }

    /** Forgets the bodies of the last merge, so a kept indexer holds on to no response. */
    void release() {
        byName.clear();
        families.clear();
        for (LocalFamily f : pool) {
            f.memberBuf = null;
            f.helpBuf = null;
        }
    }

    /** One family of one body (a pooled record: valid until the next body is indexed). */
    static final class LocalFamily {
        /** The name samples are matched against (the TYPE/HELP name in text, the family name in OpenMetrics), as bytes. */
        byte[] memberBuf;
        int memberStart;
        int memberEnd;
        int memberHash;
        MetricType type;
        boolean typeDeclared;
        byte[] helpBuf;
        int helpStart;
        int helpEnd;
        String unit;
        boolean hasSamples;
        boolean om;
        /** Byte length of the family name in OpenMetrics terms (a text counter foo_total is family foo). */
        int nameLength;
        /** A text counter whose name does not end in _total: OpenMetrics cannot call it a counter. */
        boolean bareCounter;
        /** The OpenMetrics family name as written (escaped): samples are written as it plus their suffix. */
        String outName;
        /**
         * {@link #outName} as UTF-8, and the family name without suffix as the body wrote it
         * (unescaped): made when the name changes, never written to afterwards, so merged families
         * share them as they share the Strings.
         */
        byte[] outNameBytes;
        byte[] baseName;
        long outNameHash;
        /**
         * Identity in the merge: the name the family has in text (a counter foo is foo_total, an
         * info foo is foo_info), escaped. Text's gauge foo and counter foo_total stay apart.
         */
        String key;
        boolean quoted;
        /** Runs of samples: first record number, end record number (exclusive), per run. */
        int[] runs = new int[4];
        int runCount;
        int samples;
        /** Bytes of the body its runs span (an estimate of its output's size needs them). */
        long inputBytes;
        /**
         * Some sample has an {@code le} or {@code quantile} label that is not a float: Prometheus
         * stores it, promtool refuses it in a text histogram or summary (bit 1: le, bit 2: quantile).
         */
        int badBound;

        // What the names above were computed from, to reuse them when the next body has the same.
        private byte[] namedBuf;
        private int namedStart;
        private int namedEnd;
        private MetricType namedType;
        private boolean namedOm;

        boolean hasHelp() {
            return helpBuf != null;
        }

        String memberName() {
            return new String(memberBuf, memberStart, memberEnd - memberStart, StandardCharsets.UTF_8);
        }

        void addRun(int start, int end) {
            if (runCount * 2 == runs.length) {
                runs = Arrays.copyOf(runs, runs.length * 2);
            }
            runs[runCount * 2] = start;
            runs[runCount * 2 + 1] = end;
            runCount++;
        }

        boolean memberEquals(byte[] b, int start, int end) {
            return end - start == memberEnd - memberStart
                    && Arrays.equals(b, start, end, memberBuf, memberStart, memberEnd);
        }
    }

    /** The outcome of indexing one body. */
    static final class IndexedBody {
        final List<LocalFamily> families;
        /** Samples dropped because an earlier sample of the body had their series (not recorded). */
        int duplicates;

        IndexedBody(List<LocalFamily> families) {
            this.families = families;
        }
    }

    /** Families of one body by name, over byte spans (no String per lookup). */
    private static final class NameTable {
        private LocalFamily[] slots = new LocalFamily[256];
        private int size;

        void clear() {
            if (size > 0) {
                Arrays.fill(slots, null);
                size = 0;
            }
        }

        LocalFamily get(byte[] b, int start, int end, int hash) {
            int mask = slots.length - 1;
            for (int i = hash & mask; slots[i] != null; i = (i + 1) & mask) {
                LocalFamily f = slots[i];
                if (f.memberHash == hash && f.memberEquals(b, start, end)) {
                    return f;
                }
            }
            return null;
        }

        void put(LocalFamily f) {
            if (size * 2 >= slots.length) {
                LocalFamily[] old = slots;
                slots = new LocalFamily[old.length * 2];
                size = 0;
                for (LocalFamily g : old) {
                    if (g != null) {
                        put(g);
                    }
                }
            }
            int mask = slots.length - 1;
            int i = f.memberHash & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = f;
            size++;
        }
    }

    private static int nameHash(byte[] b, int start, int end) {
        long h = LabelNaming.mix(LabelNaming.hashFast(LabelNaming.FNV_OFFSET, b, start, end));
        return (int) (h ^ (h >>> 32));
    }

    /** Indexes the whole input of {@code p} into records of its own (tests). */
    IndexedBody index(ExpositionParser p) {
        return index(p, SampleRecords.take());
    }

    /**
     * Indexes the whole input of {@code p}, appending its samples to {@code records}; throws the
     * parser's error when it does not parse (and then records nothing of it).
     */
    IndexedBody index(ExpositionParser p, SampleRecords records) {
        int first = records.size();
        try {
            return indexBody(p, records, first);
        } catch (ExpositionParseException e) {
            records.truncate(first);
            throw e;
        }
    }

    private IndexedBody indexBody(ExpositionParser p, SampleRecords records, int first) {
        boolean om = p.format() == InputFormat.OPENMETRICS_TEXT;
        families.clear();
        IndexedBody body = new IndexedBody(families);
        byName.clear();
        seen.clear();
        LocalFamily cur = null;
        LocalFamily runFamily = null;
        int runStart = 0;
        int runStartOffset = 0;
        int runEndOffset = 0;
        while (true) {
            ExpositionParser.Entry entry = p.next();
            if (entry == ExpositionParser.Entry.COMMENT) {
                continue;
            }
            if (entry != ExpositionParser.Entry.SAMPLE && runFamily != null) {
                runFamily.addRun(runStart, records.size());
                runFamily.inputBytes += runEndOffset - runStartOffset;
                runFamily = null;
            }
            switch (entry) {
                case END:
                    for (LocalFamily f : body.families) {
                        name(f);
                    }
                    dropDuplicates(p, body, records, first);
                    return body;
                // Prometheus' parsers keep every sample whatever the metadata around it says
                // (metadata is only metadata to them): a second HELP, TYPE or UNIT of a family,
                // or a TYPE after its samples, is ignored, the first one holds.
                case HELP: {
                    LocalFamily f = metadataFamily(p, cur, body, om);
                    if (!f.hasHelp()) {
                        f.helpBuf = p.buffer();
                        f.helpStart = p.textStart();
                        f.helpEnd = p.textEnd();
                    }
                    cur = f;
                    break;
                }
                case TYPE: {
                    LocalFamily f = metadataFamily(p, cur, body, om);
                    if (!f.typeDeclared && !f.hasSamples) {
                        f.type = p.type();
                        f.typeDeclared = true;
                    }
                    cur = f;
                    break;
                }
                case UNIT: {
                    LocalFamily f = metadataFamily(p, cur, body, om);
                    if (f.unit == null) {
                        f.unit = p.unit();
                    }
                    cur = f;
                    break;
                }
                case SAMPLE: {
                    LocalFamily f = cur != null && owns(cur, p) ? cur : null;
                    if (f == null) {
                        f = familyOf(p, body, om);
                        cur = f;
                    }
                    if (!f.hasSamples) {
                        f.hasSamples = true;
                        name(f);
                    }
                    boolean renamed = naming.resolve(p, p.labels(), true);
                    seen.add(seriesHash(p, f, renamed), records.size() - first);
                    f.samples++;
                    f.badBound |= badBound(p);
                    if (runFamily != f) {
                        if (runFamily != null) {
                            runFamily.addRun(runStart, records.size());
                            runFamily.inputBytes += runEndOffset - runStartOffset;
                        }
                        runFamily = f;
                        runStart = records.size();
                        runStartOffset = p.entryStart();
                    }
                    runEndOffset = p.entryEnd();
                    record(p, renamed, records);
                    break;
                }
                default:
                    throw new IllegalStateException(entry.name());
            }
        }
    }

    /** A pooled family record for the name of the current entry. */
    private LocalFamily create(ExpositionParser p, IndexedBody body, byte[] b, int start, int end, int hash) {
        int slot = body.families.size();
        if (slot == pool.size()) {
            pool.add(new LocalFamily());
        }
        LocalFamily f = pool.get(slot);
        if (b == p.buffer()) {
            f.memberBuf = b;
        } else {
            f.memberBuf = Arrays.copyOfRange(b, start, end);
            end -= start;
            start = 0;
        }
        f.memberStart = start;
        f.memberEnd = end;
        f.memberHash = hash;
        f.om = p.format() == InputFormat.OPENMETRICS_TEXT;
        f.type = MetricType.UNKNOWN;
        f.typeDeclared = false;
        f.helpBuf = null;
        f.unit = null;
        f.hasSamples = false;
        f.runCount = 0;
        f.samples = 0;
        f.inputBytes = 0;
        f.badBound = 0;
        byName.put(f);
        body.families.add(f);
        return f;
    }

    /**
     * The family metadata names: in OpenMetrics the family just opened when it is the same name
     * (its metadata lines follow each other), else the family of that name, created or resumed.
     */
    private LocalFamily metadataFamily(ExpositionParser p, LocalFamily cur, IndexedBody body, boolean om) {
        byte[] b = p.nameBytes();
        int start = p.nameFrom();
        int end = p.nameTo();
        if (om && cur != null && cur.memberEquals(b, start, end)) {
            return cur;
        }
        int hash = nameHash(b, start, end);
        LocalFamily f = byName.get(b, start, end, hash);
        return f != null ? f : create(p, body, b, start, end, hash);
    }

    /**
     * The family of a sample that is not the current family's: the family of its own name, else
     * the family its name is a suffixed sample of (a histogram's {@code _bucket}, an OpenMetrics
     * counter's {@code _total} resuming after other families), else a new one. A sample named
     * like a family joins it whatever its type says: Prometheus keeps it.
     */
    private LocalFamily familyOf(ExpositionParser p, IndexedBody body, boolean om) {
        byte[][] suffixes = om ? OPENMETRICS_GROUP_SUFFIXES : TEXT_GROUP_SUFFIXES;
        byte[] b = p.nameBytes();
        int start = p.nameFrom();
        int end = p.nameTo();
        int hash = nameHash(b, start, end);
        LocalFamily f = byName.get(b, start, end, hash);
        if (f != null) {
            return f;
        }
        for (byte[] suffix : suffixes) {
            int base = end - suffix.length;
            if (base > start && Arrays.equals(b, base, end, suffix, 0, suffix.length)) {
                LocalFamily g = byName.get(b, start, base, nameHash(b, start, base));
                if (g != null && owns(g, p)) {
                    return g;
                }
            }
        }
        return create(p, body, b, start, end, hash);
    }

    /** Whether the current sample's name is the family's name plus one of the suffixes its type owns. */
    private static boolean owns(LocalFamily f, ExpositionParser p) {
        byte[] b = p.nameBytes();
        int start = p.nameFrom();
        int end = p.nameTo();
        int fl = f.memberEnd - f.memberStart;
        if (end - start < fl || !same(b, start, f.memberBuf, f.memberStart, fl)) {
            return false;
        }
        int rest = end - start - fl;
        for (byte[] suffix : f.type.suffixBytes(p.format())) {
            if (suffix.length == rest && same(b, start + fl, suffix, 0, rest)) {
                return true;
            }
        }
        return false;
    }

    /** Bit 1: an {@code le} label that is not a float; bit 2: such a {@code quantile} label. */
    private static int badBound(ExpositionParser p) {
        LabelSpans l = p.labels();
        int bad = 0;
        for (int i = 0; i < l.count; i++) {
            int len = l.nameEnd[i] - l.nameStart[i];
            if ((len == 2 && p.regionEquals(l.nameStart[i], "le")) && !p.isFloat(l.valueStart[i], l.valueEnd[i])) {
                bad |= 1;
            } else if (len == 8 && p.regionEquals(l.nameStart[i], "quantile")
                    && !p.isFloat(l.valueStart[i], l.valueEnd[i])) {
                bad |= 2;
            }
        }
        return bad;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * Byte comparison for the short ranges of names (cheaper than Arrays.equals there), eight
     * bytes at a time: every sample's name is compared with its family's.
     */
    static boolean same(byte[] a, int aStart, byte[] b, int bStart, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if ((long) LONGS.get(a, aStart + i) != (long) LONGS.get(b, bStart + i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (a[aStart + i] != b[bStart + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fixes the family's OpenMetrics name and output identity (its type can no longer change),
     * reusing the strings of the body before when the name is the same.
     */
    private void name(LocalFamily f) {
        if (f.namedBuf != null && f.namedType == f.type && f.namedOm == f.om
                && f.memberEquals(f.namedBuf, f.namedStart, f.namedEnd)) {
            return;
        }
        String member = f.memberName();
        String name = member;
        f.bareCounter = false;
        if (!f.om && f.type == MetricType.COUNTER) {
            if (name.endsWith("_total") && name.length() > "_total".length()) {
                name = name.substring(0, name.length() - "_total".length());
            } else {
                f.bareCounter = true;
            }
        }
        f.nameLength = name.getBytes(StandardCharsets.UTF_8).length;
        // The text name is the written family name plus the suffix text gives the type, so that
        // it is also the name the writer gives the family in text, whatever the escaping.
        String textSuffix = "";
        if (f.type == MetricType.COUNTER && !f.bareCounter) {
            textSuffix = "_total";
        } else if (f.type == MetricType.INFO) {
            textSuffix = "_info";
        }
        boolean legacy = EscapingScheme.isLegacyMetricName(name);
        f.quoted = !legacy && escaping == EscapingScheme.ALLOW_UTF_8;
        f.outName = f.quoted ? name : escaping.escape(name, true);
        f.key = f.outName + textSuffix;
        f.outNameBytes = f.outName.getBytes(StandardCharsets.UTF_8);
        f.outNameHash = LabelNaming.hash(LabelNaming.FNV_OFFSET, f.outNameBytes, 0, f.outNameBytes.length);
        f.baseName = Arrays.copyOfRange(f.memberBuf, f.memberStart, f.memberStart + f.nameLength);
        remember(f);
    }

    private static void remember(LocalFamily f) {
        if (f.namedBuf == f.memberBuf && f.namedStart == f.memberStart) {
            return;
        }
        // A copy, so the record keeps no body alive after the merge.
        f.namedBuf = Arrays.copyOfRange(f.memberBuf, f.memberStart, f.memberEnd);
        f.namedStart = 0;
        f.namedEnd = f.namedBuf.length;
        f.namedType = f.type;
        f.namedOm = f.om;
    }

    /** Hash of the series as it will be written: output name and label set (in any order). */
    private long seriesHash(ExpositionParser p, LocalFamily f, boolean renamed) {
        long h = f.outNameHash;
        h = LabelNaming.hash(h, p.nameBytes(), p.nameFrom() + f.nameLength, p.nameTo());
        return LabelNaming.mix(h) + naming.labelSetHash(p, p.labels(), renamed);
    }

    /**
     * Records what the writer needs of the current sample. The writer copies the label section in
     * one piece when it is canonical and keeps its names ({@code renamed} false, the test the
     * writer made itself before), and the exemplar when its labels are canonical too and its value
     * is spelt as the writer spells it; otherwise it lexes that sample again.
     */
    private void record(ExpositionParser p, boolean renamed, SampleRecords records) {
        LabelSpans labels = p.labels();
        boolean fast = !p.nameQuoted() && !renamed && labels.canonical(p.buffer());
        int labelsStart = p.entryStart();
        int labelsEnd = labelsStart;
        if (labels.count > 0) {
            labelsStart = labels.nameStart[0];
            labelsEnd = labels.valueEnd[labels.count - 1] + 1;
        }
        int exemplarStart = 0;
        int exemplarEnd = 0;
        if (p.hasExemplar()) {
            LabelSpans e = p.exemplarLabels();
            fast &= escaping != EscapingScheme.DOTS && !e.anyNameQuoted() && e.canonical(p.buffer())
                    && plainNumber(p.buffer(), p.exemplarValueStart());
            exemplarStart = p.exemplarStart();
            exemplarEnd = p.hasExemplarTimestamp() ? p.exemplarTimestampEnd() : p.exemplarValueEnd();
        }
        records.add(p, fast, labelsStart, labelsEnd, exemplarStart, exemplarEnd);
    }

    /** A number the writer copies as written (not Inf or NaN, which it spells one way). */
    private static boolean plainNumber(byte[] b, int start) {
        int c = b[start] == '+' || b[start] == '-' ? b[start + 1] : b[start];
        return c == '.' || (c >= '0' && c <= '9');
    }

    /**
     * Finds the samples whose series came earlier in the body: removed from the records (the
     * writer never sees them), and not counted.
     */
    private void dropDuplicates(ExpositionParser p, IndexedBody body, SampleRecords records, int first) {
        droppedCount = 0;
        seen.forEachDuplicate((earlier, later) -> sameSeries(p, records.lineStart(first + earlier),
                records.lineStart(first + later)), n -> {
                    if (droppedCount == dropped.length) {
                        dropped = Arrays.copyOf(dropped, droppedCount * 2);
                    }
                    dropped[droppedCount++] = first + n;
                    body.duplicates++;
                    familyAt(body, first + n).samples--;
                });
        if (droppedCount == 0) {
            return;
        }
        Arrays.sort(dropped, 0, droppedCount);
        records.remove(dropped, droppedCount);
        for (LocalFamily f : body.families) {
            for (int i = 0; i < f.runCount * 2; i++) {
                f.runs[i] = SampleRecords.renumbered(f.runs[i], dropped, droppedCount);
            }
        }
    }

    private static LocalFamily familyAt(IndexedBody body, int record) {
        for (LocalFamily f : body.families) {
            for (int r = 0; r < f.runCount; r++) {
                if (record >= f.runs[r * 2] && record < f.runs[r * 2 + 1]) {
                    return f;
                }
            }
        }
        throw new IllegalStateException("no family holds record " + record);
    }

    /**
     * Compares two samples' names and label sets as they will be written (rare: only for equal
     * hashes; allocates). Written, not raw: an app's own {@code exported_instance="x"} and an
     * {@code instance="x"} renamed to it are the same series in the output.
     */
    private boolean sameSeries(ExpositionParser p, int earlierOffset, int laterOffset) {
        ExpositionParser a = ExpositionParser.fragment(p.format(), p.buffer(), earlierOffset, p.limit(), 0);
        ExpositionParser b = ExpositionParser.fragment(p.format(), p.buffer(), laterOffset, p.limit(), 0);
        a.next();
        b.next();
        return a.metricName().equals(b.metricName()) && writtenLabels(a).equals(writtenLabels(b));
    }

    private Map<String, String> writtenLabels(ExpositionParser p) {
        boolean renamed = naming.resolve(p, p.labels(), true);
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < p.labels().count; i++) {
            map.put(renamed ? naming.names[i] : p.labelName(p.labels(), i), p.utf8(p.labels().valueStart[i], p.labels().valueEnd[i]));
        }
        return map;
    }
}
