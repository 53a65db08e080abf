package io.promfetcher.exposition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * First pass of a merge over one body: parses it completely (so a broken body is refused before
 * anything of it is written), groups its samples into families as Prometheus does, finds
 * duplicate series, and records where each family's samples lie. It keeps offsets, not samples:
 * the writer parses those ranges again to write them.
 */
final class FamilyIndexer {
    private static final byte[][] TEXT_GROUP_SUFFIXES = {
        "_bucket".getBytes(StandardCharsets.US_ASCII),
        "_count".getBytes(StandardCharsets.US_ASCII),
        "_sum".getBytes(StandardCharsets.US_ASCII),
    };

    private final EscapingScheme escaping;
    private final LabelNaming naming;
    /**
     * Kept per thread between merges: its arrays grow to the largest body a thread has seen, so a
     * gateway in steady state does not reallocate them for every scrape.
     */
    private static final ThreadLocal<SeriesSet> SEEN = ThreadLocal.withInitial(SeriesSet::new);

    private final SeriesSet seen = SEEN.get();

    FamilyIndexer(EscapingScheme escaping) {
        this.escaping = escaping;
        this.naming = new LabelNaming(escaping);
    }

    /** One family of one body. */
    static final class LocalFamily {
        /** The name samples are matched against: the TYPE/HELP name in text, the family name in OpenMetrics. */
        final String memberName;
        final byte[] memberBytes;
        MetricType type = MetricType.UNKNOWN;
        boolean typeDeclared;
        String help;
        String unit;
        boolean hasSamples;
        /** The family name in OpenMetrics terms (a text counter foo_total is family foo). */
        String name;
        int nameLength;
        /** A text counter whose name does not end in _total: OpenMetrics cannot call it a counter. */
        boolean bareCounter;
        /** The OpenMetrics family name as written (escaped): samples are written as it plus their suffix. */
        String outName;
        long outNameHash;
        /**
         * Identity in the merge: the name the family has in text (a counter foo is foo_total, an
         * info foo is foo_info), escaped. Text's gauge foo and counter foo_total stay apart.
         */
        String key;
        boolean quoted;
        final List<int[]> runs = new ArrayList<>(2);
        int samples;

        LocalFamily(String memberName) {
            this.memberName = memberName;
            this.memberBytes = memberName.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The outcome of indexing one body. */
    static final class IndexedBody {
        final List<LocalFamily> families = new ArrayList<>();
        /** Offsets of the lines of dropped duplicate samples, ascending. */
        int[] skipped = new int[0];
        int skippedCount;
        int duplicates;

        void skip(int offset) {
            if (skippedCount == skipped.length) {
                skipped = Arrays.copyOf(skipped, Math.max(8, skippedCount * 2));
            }
            skipped[skippedCount++] = offset;
            duplicates++;
        }
    }

    /** Indexes the whole input of {@code p}; throws the parser's error when it does not parse. */
    IndexedBody index(ExpositionParser p) {
        boolean om = p.format() == InputFormat.OPENMETRICS_TEXT;
        IndexedBody body = new IndexedBody();
        Map<String, LocalFamily> byName = new HashMap<>();
        seen.clear();
        LocalFamily cur = null;
        LocalFamily runFamily = null;
        int runStart = 0;
        int runEnd = 0;
        int runLine = 0;
        while (true) {
            ExpositionParser.Entry entry = p.next();
            if (entry == ExpositionParser.Entry.COMMENT) {
                continue;
            }
            if (entry != ExpositionParser.Entry.SAMPLE && runFamily != null) {
                runFamily.runs.add(new int[] {runStart, runEnd, runLine});
                runFamily = null;
            }
            switch (entry) {
                case END:
                    for (LocalFamily f : body.families) {
                        name(f, om);
                    }
                    return body;
                case HELP: {
                    LocalFamily f = om ? openMetricsMetadata(p, cur, byName, body) : textMetadata(p, byName, body);
                    if (f.help != null) {
                        throw p.error(p.entryStart, "second HELP line for " + f.memberName);
                    }
                    f.help = p.help();
                    cur = f;
                    break;
                }
                case TYPE: {
                    LocalFamily f = om ? openMetricsMetadata(p, cur, byName, body) : textMetadata(p, byName, body);
                    if (f.typeDeclared) {
                        throw p.error(p.entryStart, "second TYPE line for " + f.memberName);
                    }
                    if (f.hasSamples) {
                        throw p.error(p.entryStart, "TYPE line for " + f.memberName + " after its samples");
                    }
                    f.type = p.type();
                    f.typeDeclared = true;
                    cur = f;
                    break;
                }
                case UNIT: {
                    LocalFamily f = openMetricsMetadata(p, cur, byName, body);
                    if (f.unit != null) {
                        throw p.error(p.entryStart, "second UNIT line for " + f.memberName);
                    }
                    f.unit = p.unit();
                    cur = f;
                    break;
                }
                case SAMPLE: {
                    LocalFamily f = cur != null && owns(cur, p) ? cur : null;
                    if (f == null) {
                        f = om ? openMetricsFamilyOf(p, byName, body) : textFamilyOf(p, byName, body);
                        cur = f;
                    }
                    if (!f.hasSamples) {
                        f.hasSamples = true;
                        name(f, om);
                    }
                    if (isDuplicate(p, f)) {
                        body.skip(p.entryStart);
                    } else {
                        f.samples++;
                    }
                    if (runFamily != f) {
                        if (runFamily != null) {
                            runFamily.runs.add(new int[] {runStart, runEnd, runLine});
                        }
                        runFamily = f;
                        runStart = p.entryStart;
                        runLine = p.line();
                    }
                    runEnd = p.pos;
                    break;
                }
                default:
                    throw new IllegalStateException(entry.name());
            }
        }
    }

    private static LocalFamily create(String name, Map<String, LocalFamily> byName, IndexedBody body) {
        LocalFamily f = new LocalFamily(name);
        byName.put(name, f);
        body.families.add(f);
        return f;
    }

    /** Text: HELP and TYPE name a family wherever they appear. */
    private static LocalFamily textMetadata(ExpositionParser p, Map<String, LocalFamily> byName, IndexedBody body) {
        String name = p.metricName();
        LocalFamily f = byName.get(name);
        return f != null ? f : create(name, byName, body);
    }

    /** OpenMetrics: metadata opens a family, or completes the one just opened; families never resume. */
    private static LocalFamily openMetricsMetadata(ExpositionParser p, LocalFamily cur, Map<String, LocalFamily> byName,
            IndexedBody body) {
        String name = p.metricName();
        if (cur != null && cur.memberName.equals(name) && !cur.hasSamples) {
            return cur;
        }
        if (byName.containsKey(name)) {
            throw p.error(p.entryStart, "metadata for " + name + " after its samples or apart from its other metadata");
        }
        return create(name, byName, body);
    }

    private static LocalFamily openMetricsFamilyOf(ExpositionParser p, Map<String, LocalFamily> byName, IndexedBody body) {
        String name = p.metricName();
        LocalFamily f = byName.get(name);
        if (f != null) {
            throw p.error(p.entryStart, f.typeDeclared && !owns(f, p)
                    ? "sample " + name + " does not fit " + f.type.openMetricsName() + " " + f.memberName
                    : "samples of " + name + " are not contiguous");
        }
        return create(name, byName, body);
    }

    /** Text: as Prometheus groups them, a histogram's or summary's suffixed samples join its family. */
    private static LocalFamily textFamilyOf(ExpositionParser p, Map<String, LocalFamily> byName, IndexedBody body) {
        String name = p.metricName();
        LocalFamily f = byName.get(name);
        if (f != null) {
            if (!owns(f, p)) {
                throw p.error(p.entryStart, "sample " + name + " does not fit " + f.type.textName() + " " + name);
            }
            return f;
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        for (byte[] suffix : TEXT_GROUP_SUFFIXES) {
            int base = nameBytes.length - suffix.length;
            if (base > 0 && Arrays.equals(nameBytes, base, nameBytes.length, suffix, 0, suffix.length)) {
                LocalFamily g = byName.get(name.substring(0, name.length() - suffix.length));
                if (g != null && owns(g, p)) {
                    return g;
                }
            }
        }
        return create(name, byName, body);
    }

    /** Whether the current sample's name is the family's name plus one of the suffixes its type owns. */
    private static boolean owns(LocalFamily f, ExpositionParser p) {
        byte[] b = p.buf;
        int start = p.nameStart;
        int end = p.nameEnd;
        if (p.nameEscaped) {
            b = p.metricName().getBytes(StandardCharsets.UTF_8);
            start = 0;
            end = b.length;
        }
        int fl = f.memberBytes.length;
        if (end - start < fl || !Arrays.equals(b, start, start + fl, f.memberBytes, 0, fl)) {
            return false;
        }
        int rest = end - start - fl;
        for (byte[] suffix : f.type.suffixBytes(p.format())) {
            if (suffix.length == rest && Arrays.equals(b, start + fl, end, suffix, 0, rest)) {
                return true;
            }
        }
        return false;
    }

    /** Fixes the family's OpenMetrics name and output identity; its type can no longer change. */
    private void name(LocalFamily f, boolean om) {
        if (f.key != null) {
            return;
        }
        String name = f.memberName;
        if (!om && f.type == MetricType.COUNTER) {
            if (name.endsWith("_total") && name.length() > "_total".length()) {
                name = name.substring(0, name.length() - "_total".length());
            } else {
                f.bareCounter = true;
            }
        }
        f.name = name;
        f.nameLength = name.getBytes(StandardCharsets.UTF_8).length;
        String textName = f.memberName;
        if (om && f.type == MetricType.COUNTER) {
            textName = name + "_total";
        } else if (om && f.type == MetricType.INFO) {
            textName = name + "_info";
        }
        boolean legacy = EscapingScheme.isLegacyMetricName(name);
        f.quoted = !legacy && escaping == EscapingScheme.ALLOW_UTF_8;
        f.outName = f.quoted ? name : escaping.escape(name, true);
        f.key = f.quoted ? textName : escaping.escape(textName, true);
        byte[] outBytes = f.outName.getBytes(StandardCharsets.UTF_8);
        f.outNameHash = LabelNaming.hash(LabelNaming.FNV_OFFSET, outBytes, 0, outBytes.length);
    }

    /** Hashes the series as it will be written and remembers it; true when it came before. */
    private boolean isDuplicate(ExpositionParser p, LocalFamily f) {
        long h = f.outNameHash;
        if (p.nameEscaped) {
            byte[] full = p.metricName().getBytes(StandardCharsets.UTF_8);
            h = LabelNaming.hash(h, full, f.nameLength, full.length);
        } else {
            h = LabelNaming.hash(h, p.buf, p.nameStart + f.nameLength, p.nameEnd);
        }
        boolean resolved = naming.resolve(p, p.labels, true);
        h = LabelNaming.mix(h) + naming.labelSetHash(p, p.labels, resolved);
        int earlier = seen.putIfAbsent(h, p.entryStart);
        return earlier >= 0 && sameSeries(p, earlier);
    }

    /** Confirms a hash match by comparing the two samples' names and label sets (rare: allocates). */
    private static boolean sameSeries(ExpositionParser p, int earlierOffset) {
        String name = p.metricName();
        Map<String, String> labels = labelMap(p);
        ExpositionParser q = ExpositionParser.fragment(p.format(), p.buf, earlierOffset, p.limit, 0);
        q.next();
        return q.metricName().equals(name) && labelMap(q).equals(labels);
    }

    private static Map<String, String> labelMap(ExpositionParser p) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < p.labels.count; i++) {
            map.put(p.labelName(p.labels, i), p.utf8(p.labels.valueStart[i], p.labels.valueEnd[i]));
        }
        return map;
    }
}
