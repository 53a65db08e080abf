package io.promfetcher.exposition;

/**
 * The labels of the current sample (or exemplar) as offsets into the parser's input, reused from
 * sample to sample so that parsing allocates nothing per sample. Names are the raw bytes between
 * quotes when quoted; values are always the raw, still escaped bytes between quotes.
 */
final class LabelSpans {
    private static final int[] NO_INTS = new int[0];
    private static final boolean[] NO_FLAGS = new boolean[0];

    int count;
    // Empty (shared, never written) until the first label: a parser that meets no exemplar, or
    // no label, allocates none of them.
    int[] nameStart = NO_INTS;
    int[] nameEnd = NO_INTS;
    int[] valueStart = NO_INTS;
    int[] valueEnd = NO_INTS;
    /** Quoted name containing a backslash escape: its raw bytes are not its name. */
    boolean[] nameEscaped = NO_FLAGS;
    /** Name was written quoted: it may lie outside the legacy character set. */
    boolean[] nameQuoted = NO_FLAGS;
    /** Value holds an escape other than \\, \" and \n: it is written escaped anew, not copied. */
    boolean[] valueOddEscape = NO_FLAGS;

    void clear() {
        count = 0;
    }

    void add(int ns, int ne, boolean quoted, boolean escaped, int vs, int ve, boolean oddEscape) {
        if (count == nameStart.length) {
            int n = Math.max(8, count * 2);
            nameStart = java.util.Arrays.copyOf(nameStart, n);
            nameEnd = java.util.Arrays.copyOf(nameEnd, n);
            valueStart = java.util.Arrays.copyOf(valueStart, n);
            valueEnd = java.util.Arrays.copyOf(valueEnd, n);
            nameEscaped = java.util.Arrays.copyOf(nameEscaped, n);
            nameQuoted = java.util.Arrays.copyOf(nameQuoted, n);
            valueOddEscape = java.util.Arrays.copyOf(valueOddEscape, n);
        }
        nameStart[count] = ns;
        nameEnd[count] = ne;
        valueStart[count] = vs;
        valueEnd[count] = ve;
        nameEscaped[count] = escaped;
        nameQuoted[count] = quoted;
        valueOddEscape[count] = oddEscape;
        count++;
    }

    /**
     * {@code a="x",b="y"} in {@code buf}: no blanks, commas between labels, no trailing comma,
     * only the escapes every reader knows, so the section from the first name to the last value's
     * closing quote is copied in one piece. (Quoted names are the naming's business: see
     * {@link LabelNaming#resolve}.) Text's {@code a="x" b="y"} is not: OpenMetrics refuses it.
     */
    boolean canonical(byte[] buf) {
        for (int i = 0; i < count; i++) {
            if (nameEnd[i] + 2 != valueStart[i] || valueOddEscape[i]) {
                return false;
            }
            if (i > 0 && (valueEnd[i - 1] + 2 != nameStart[i] || buf[valueEnd[i - 1] + 1] != ',')) {
                return false;
            }
        }
        return true;
    }

    /** Some name was written quoted. */
    boolean anyNameQuoted() {
        for (int i = 0; i < count; i++) {
            if (nameQuoted[i]) {
                return true;
            }
        }
        return false;
    }
}
