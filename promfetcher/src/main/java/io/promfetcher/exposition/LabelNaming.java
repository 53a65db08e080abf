package io.promfetcher.exposition;

import java.nio.charset.StandardCharsets;

/**
 * Decides the names a sample's labels are written under: the output's escaping, and the
 * {@code exported_} prefix for an app label that uses one of the gateway's target label names
 * (design §3, Prometheus' convention: prefix until the name is free). Most samples need neither:
 * {@link #resolve} then says so and the raw bytes are written as they are, without allocating.
 */
final class LabelNaming {
    private static final byte[][] TARGET_NAMES = TargetLabels.NAMES.stream()
            .map(n -> n.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    private final EscapingScheme escaping;
    /** When {@link #resolve} returned true: the output name of each label, already escaped. */
    String[] names = new String[8];
    /** When {@link #resolve} returned true: whether that name must be written quoted. */
    boolean[] quoted = new boolean[8];

    LabelNaming(EscapingScheme escaping) {
        this.escaping = escaping;
    }

    /**
     * Returns false when every label keeps its raw name (unquoted, and no target name is taken);
     * otherwise fills {@link #names} and {@link #quoted} and returns true.
     */
    boolean resolve(ExpositionParser p, LabelSpans spans, boolean renameTargets) {
        boolean slow = escaping == EscapingScheme.DOTS;
        for (int i = 0; i < spans.count && !slow; i++) {
            slow = spans.nameQuoted[i] || (renameTargets && isTargetName(p.buffer(), spans.nameStart[i], spans.nameEnd[i]));
        }
        if (!slow) {
            return false;
        }
        if (names.length < spans.count) {
            names = new String[spans.count * 2];
            quoted = new boolean[spans.count * 2];
        }
        for (int i = 0; i < spans.count; i++) {
            names[i] = p.labelName(spans, i);
        }
        if (renameTargets) {
            for (int i = 0; i < spans.count; i++) {
                if (TargetLabels.NAMES.contains(names[i])) {
                    String candidate = "exported_" + names[i];
                    while (taken(candidate, spans.count)) {
                        candidate = "exported_" + candidate;
                    }
                    names[i] = candidate;
                }
            }
        }
        for (int i = 0; i < spans.count; i++) {
            boolean legacy = EscapingScheme.isLegacyLabelName(names[i]);
            quoted[i] = !legacy && escaping == EscapingScheme.ALLOW_UTF_8;
            if (!quoted[i]) {
                names[i] = escaping.escape(names[i], false);
            }
        }
        return true;
    }

    private boolean taken(String candidate, int count) {
        if (TargetLabels.NAMES.contains(candidate)) {
            return true;
        }
        for (int i = 0; i < count; i++) {
            if (names[i].equals(candidate)) {
                return true;
            }
        }
        return false;
    }

    /** Lengths of the target label names, to rule most label names out at once. */
    private static final boolean[] TARGET_LENGTH = new boolean[32];

    static {
        for (byte[] name : TARGET_NAMES) {
            TARGET_LENGTH[name.length] = true;
        }
    }

    static boolean isTargetName(byte[] buf, int start, int end) {
        int len = end - start;
        if (len >= TARGET_LENGTH.length || !TARGET_LENGTH[len]) {
            return false;
        }
        byte first = buf[start];
        if (first != 'o' && first != 's' && first != 'a' && first != 'i') {
            return false;
        }
        for (byte[] name : TARGET_NAMES) {
            if (name.length == len && FamilyIndexer.same(buf, start, name, 0, len)) {
                return true;
            }
        }
        return false;
    }

    /** Escapes a label value or a quoted name for writing between double quotes. */
    static String escapeQuoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    // ---- series hashing: FNV-1a over the bytes a series is written with ----

    static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** FNV-1a, byte by byte: hashing "ab" then "c" equals hashing "abc" (names are hashed in two parts). */
    static long hash(long h, byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            h = (h ^ (b[i] & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    /** Hash of the bytes, eight at a time, for label names and values (only mixing matters). */
    static long hashFast(long h, byte[] b, int start, int end) {
        int i = start;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft((h ^ (long) LONGS.get(b, i)) * 0x9E3779B97F4A7C15L, 29);
        }
        for (; i < end; i++) {
            h = (h ^ (b[i] & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /**
     * Hash of the label set as written: order-independent (labels combine by addition), so the
     * same series with its labels in another order is still a duplicate.
     */
    long labelSetHash(ExpositionParser p, LabelSpans spans, boolean resolved) {
        long sum = 0;
        for (int i = 0; i < spans.count; i++) {
            long h;
            if (resolved) {
                byte[] name = names[i].getBytes(StandardCharsets.UTF_8);
                h = hashFast(FNV_OFFSET, name, 0, name.length);
            } else {
                h = hashFast(FNV_OFFSET, p.buffer(), spans.nameStart[i], spans.nameEnd[i]);
            }
            h = hashFast(h ^ 0x3d, p.buffer(), spans.valueStart[i], spans.valueEnd[i]);
            sum += mix(h);
        }
        return sum;
    }
}
