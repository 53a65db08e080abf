package io.promfetcher.exposition;

/**
 * The labels of the current sample (or exemplar) as offsets into the parser's input, reused from
 * sample to sample so that parsing allocates nothing per sample. Names are the raw bytes between
 * quotes when quoted; values are always the raw, still escaped bytes between quotes.
 */
final class LabelSpans {
    int count;
    int[] nameStart = new int[8];
    int[] nameEnd = new int[8];
    int[] valueStart = new int[8];
    int[] valueEnd = new int[8];
    /** Quoted name containing a backslash escape: its raw bytes are not its name. */
    boolean[] nameEscaped = new boolean[8];
    /** Name was written quoted: it may lie outside the legacy character set. */
    boolean[] nameQuoted = new boolean[8];
    /** Value holds an escape other than \\, \" and \n: it is written escaped anew, not copied. */
    boolean[] valueOddEscape = new boolean[8];

    void clear() {
        count = 0;
    }

    void add(int ns, int ne, boolean quoted, boolean escaped, int vs, int ve, boolean oddEscape) {
        if (count == nameStart.length) {
            int n = count * 2;
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
}
