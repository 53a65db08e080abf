package io.promfetcher.exposition;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A pull parser over one exposition held in a byte array, shaped like Prometheus' textparse:
 * {@link #next()} advances to the next entry and says what it is; accessors describe that entry
 * until the next call. Offsets into the input are kept in reused arrays, so parsing allocates
 * nothing per sample unless a caller asks for values ({@link #sample()}, {@link #metricName()}).
 *
 * <p>Strict where the format is: anything Prometheus would refuse (bad names, bad escapes, invalid
 * UTF-8, bad numbers, a duplicate label, a TYPE Prometheus does not know, a missing or early
 * {@code # EOF} in OpenMetrics) throws {@link ExpositionParseException} with the line and byte
 * column. That is the only exception bad input can cause.
 *
 * <p>One subclass per format ({@link PrometheusTextParser}, {@link OpenMetricsParser}); this class
 * holds the lexing both share (names, quoted strings, label sets, numbers, UTF-8).
 */
public abstract sealed class ExpositionParser permits PrometheusTextParser, OpenMetricsParser {

    /** What {@link #next()} found. */
    public enum Entry { HELP, TYPE, UNIT, SAMPLE, COMMENT, END }

    final byte[] buf;
    int limit;
    int pos;
    int line;
    int lineStart;

    // The current entry.
    int entryStart;
    int entryLine;
    int nameStart = -1;
    int nameEnd;
    boolean nameQuoted;
    boolean nameEscaped;
    int textStart;
    int textEnd;
    MetricType type;
    final LabelSpans labels = new LabelSpans();
    int valueStart;
    int valueEnd;
    int timestampStart = -1;
    int timestampEnd;
    boolean hasExemplar;
    /** Offset of the exemplar's opening brace. */
    int exemplarStart;
    final LabelSpans exemplarLabels = new LabelSpans();
    int exemplarValueStart;
    int exemplarValueEnd;
    int exemplarTimestampStart = -1;
    int exemplarTimestampEnd;

    private byte[] unescapedName;
    private int unescapedNameEntry = -1;
    private boolean lastQuotedEscaped;
    private boolean lastQuotedOddEscape;
    /**
     * Set when re-reading input this parser already validated (see {@link #reread}): the
     * checks that cannot fail the second time (UTF-8, numbers, duplicate labels) are skipped.
     */
    boolean trusted;

    /** End of the whole input (limit is that of the current reading). */
    private final int inputEnd;

    ExpositionParser(byte[] buf, int offset, int length, int firstLine) {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + buf.length);
        }
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
        this.inputEnd = limit;
        this.line = firstLine;
    }

    /** A parser for the whole of {@code buf[offset, offset+length)} in the given format. */
    public static ExpositionParser create(InputFormat format, byte[] buf, int offset, int length) {
        return format == InputFormat.OPENMETRICS_TEXT
                ? new OpenMetricsParser(buf, offset, length, 1, false)
                : new PrometheusTextParser(buf, offset, length, 1);
    }

    /** A parser for part of an exposition already parsed once: OpenMetrics' {@code # EOF} is not expected. */
    static ExpositionParser fragment(InputFormat format, byte[] buf, int start, int end, int firstLine) {
        return format == InputFormat.OPENMETRICS_TEXT
                ? new OpenMetricsParser(buf, start, end - start, firstLine, true)
                : new PrometheusTextParser(buf, start, end - start, firstLine);
    }

    /**
     * Reads again the sample whose line starts at {@code lineStart}, in input this parser has
     * already validated (trusted: the checks that cannot fail twice are skipped). For the rare
     * sample the writer cannot write from what {@link SampleRecords} holds.
     */
    void reread(int lineStart) {
        trusted = true;
        pos = lineStart;
        limit = inputEnd;
        line = 0;
        resetFormatState();
        next();
    }

    void resetFormatState() {}

    /** Advances to the next entry; {@link Entry#END} once the input is exhausted. */
    public abstract Entry next();

    /** The format this parser reads. */
    public abstract InputFormat format();

    /** 1-based line of the current entry. */
    public int line() {
        return entryLine;
    }

    // ---- the current entry as spans of the input (valid until the next call of next()) ----

    /** The input the spans below index into. */
    byte[] buffer() {
        return buf;
    }

    /** Offset of the current entry's first byte, and of the byte after its line. */
    int entryStart() {
        return entryStart;
    }

    int entryEnd() {
        return pos;
    }

    /**
     * The metric name of the current HELP, TYPE, UNIT or SAMPLE, unescaped, as UTF-8 bytes
     * {@code nameBytes()[nameFrom(), nameTo())}: the input itself, or for a quoted name with
     * escapes a copy unescaped once per entry. Escaping is resolved here and nowhere else.
     */
    byte[] nameBytes() {
        if (!nameEscaped) {
            return buf;
        }
        if (unescapedNameEntry != entryStart || unescapedName == null) {
            unescapedName = metricName().getBytes(StandardCharsets.UTF_8);
            unescapedNameEntry = entryStart;
        }
        return unescapedName;
    }

    int nameFrom() {
        return nameEscaped ? 0 : nameStart;
    }

    int nameTo() {
        return nameEscaped ? nameBytes().length : nameEnd;
    }

    /** The name was written quoted (it may lie outside the legacy character set). */
    boolean nameQuoted() {
        return nameQuoted;
    }

    /** The current sample's (or metadata name's) labels. */
    LabelSpans labels() {
        return labels;
    }

    int valueStart() {
        return valueStart;
    }

    int valueEnd() {
        return valueEnd;
    }

    boolean hasTimestamp() {
        return timestampStart >= 0;
    }

    int timestampStart() {
        return timestampStart;
    }

    int timestampEnd() {
        return timestampEnd;
    }

    /** HELP or UNIT text as written (still escaped). */
    int textStart() {
        return textStart;
    }

    int textEnd() {
        return textEnd;
    }

    boolean hasExemplar() {
        return hasExemplar;
    }

    LabelSpans exemplarLabels() {
        return exemplarLabels;
    }

    int exemplarValueStart() {
        return exemplarValueStart;
    }

    int exemplarValueEnd() {
        return exemplarValueEnd;
    }

    /** Offset of the exemplar's opening brace ({@code {a="x"} 1.5}). */
    int exemplarStart() {
        return exemplarStart;
    }

    boolean hasExemplarTimestamp() {
        return exemplarTimestampStart >= 0;
    }

    int exemplarTimestampStart() {
        return exemplarTimestampStart;
    }

    int exemplarTimestampEnd() {
        return exemplarTimestampEnd;
    }

    /** End of the input this parser reads. */
    int limit() {
        return limit;
    }

    /** Metric name of the current HELP, TYPE, UNIT or SAMPLE, unescaped. */
    public String metricName() {
        return nameEscaped ? unescape(buf, nameStart, nameEnd) : utf8(nameStart, nameEnd);
    }

    /** Type of the current TYPE entry. */
    public MetricType type() {
        return type;
    }

    /** Text of the current HELP entry, unescaped. */
    public String help() {
        return unescapeHelp(buf, textStart, textEnd, format() == InputFormat.OPENMETRICS_TEXT);
    }

    /** Unit of the current UNIT entry. */
    public String unit() {
        return utf8(textStart, textEnd);
    }

    /** The current SAMPLE as values (allocates). */
    public Sample sample() {
        Optional<Sample.Exemplar> exemplar = Optional.empty();
        if (hasExemplar) {
            exemplar = Optional.of(new Sample.Exemplar(labelList(exemplarLabels),
                    utf8(exemplarValueStart, exemplarValueEnd),
                    exemplarTimestampStart < 0 ? Optional.empty()
                            : Optional.of(utf8(exemplarTimestampStart, exemplarTimestampEnd))));
        }
        return new Sample(metricName(), labelList(labels), utf8(valueStart, valueEnd),
                timestampStart < 0 ? Optional.empty() : Optional.of(utf8(timestampStart, timestampEnd)),
                exemplar);
    }

    private List<Sample.Label> labelList(LabelSpans spans) {
        List<Sample.Label> list = new ArrayList<>(spans.count);
        for (int i = 0; i < spans.count; i++) {
            list.add(new Sample.Label(labelName(spans, i), unescape(buf, spans.valueStart[i], spans.valueEnd[i])));
        }
        return list;
    }

    String labelName(LabelSpans spans, int i) {
        return spans.nameEscaped[i] ? unescape(buf, spans.nameStart[i], spans.nameEnd[i])
                : utf8(spans.nameStart[i], spans.nameEnd[i]);
    }

    String utf8(int start, int end) {
        return new String(buf, start, end - start, StandardCharsets.UTF_8);
    }

    /**
     * Resolves {@code \\}, {@code \"} and {@code \n} as Prometheus does in label values and
     * quoted names; any other backslash stays as written.
     */
    static String unescape(byte[] b, int start, int end) {
        return unescape(b, start, end, true);
    }

    /** HELP text: {@code \"} is an escape in OpenMetrics only (text 0.0.4 keeps it as written). */
    static String unescapeHelp(byte[] b, int start, int end, boolean openMetrics) {
        return unescape(b, start, end, openMetrics);
    }

    private static String unescape(byte[] b, int start, int end, boolean quoteEscape) {
        int i = start;
        while (i < end && b[i] != '\\') {
            i++;
        }
        if (i == end) {
            return new String(b, start, end - start, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
        out.write(b, start, i - start);
        for (; i < end; i++) {
            byte c = b[i];
            if (c == '\\' && i + 1 < end) {
                byte n = b[++i];
                if (n == 'n') {
                    out.write('\n');
                } else if (n == '\\' || (n == '"' && quoteEscape)) {
                    out.write(n);
                } else {
                    out.write('\\');
                    out.write(n);
                }
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    // ---- lexing shared by both formats ----

    ExpositionParseException error(int at, String reason) {
        return new ExpositionParseException(entryLine, Math.max(1, at - lineStart + 1), reason);
    }

    void startEntry() {
        entryStart = pos;
        entryLine = line;
        lineStart = pos;
        nameStart = -1;
        nameQuoted = false;
        nameEscaped = false;
        labels.clear();
        timestampStart = -1;
        hasExemplar = false;
        exemplarLabels.clear();
        exemplarTimestampStart = -1;
        type = null;
    }

    /** Ends the entry whose line ends at {@code newline} (a '\n' or the end of input). */
    void endLine(int newline) {
        pos = newline < limit ? newline + 1 : limit;
        line++;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long NEWLINES = ONES * '\n';

    /** The newline (or limit) at or after p: eight bytes at a time (HELP lines are long). */
    int lineEnd(int p) {
        for (; p + 8 <= limit; p += 8) {
            long x = (long) LONGS.get(buf, p) ^ NEWLINES;
            long zero = (x - ONES) & ~x & HIGHS;
            if (zero != 0) {
                return p + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        while (p < limit && buf[p] != '\n') {
            p++;
        }
        return p;
    }

    int skipBlanks(int p) {
        while (p < limit && (buf[p] == ' ' || buf[p] == '\t')) {
            p++;
        }
        return p;
    }

    /** End of a legacy name starting at p; an error when no name starts there. */
    int scanLegacyName(int p, boolean metric, String what) {
        if (p >= limit || !EscapingScheme.legacyChar(buf[p], true, metric)) {
            throw error(p, "expected " + what);
        }
        p++;
        while (p < limit && EscapingScheme.legacyChar(buf[p], false, metric)) {
            p++;
        }
        return p;
    }

    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';

    /** Whether some byte of x is zero (bit 7 of each such byte set; others may be too above the first). */
    private static long zeroByte(long x) {
        return (x - ONES) & ~x & HIGHS;
    }

    /** p is at an opening quote; returns the offset after the closing one. */
    int scanQuoted(int p) {
        lastQuotedEscaped = false;
        lastQuotedOddEscape = false;
        p++;
        // Eight plain ASCII bytes at a time: none a quote, backslash, newline or part of UTF-8.
        while (p + 8 <= limit) {
            long x = (long) LONGS.get(buf, p);
            if ((zeroByte(x ^ QUOTES) | zeroByte(x ^ BACKSLASHES) | zeroByte(x ^ NEWLINES) | (x & HIGHS)) != 0) {
                break;
            }
            p += 8;
        }
        while (true) {
            if (p >= limit || buf[p] == '\n') {
                throw error(p, "unterminated quoted string");
            }
            byte c = buf[p];
            if (c == '"') {
                return p + 1;
            }
            if (c == '\\') {
                // As Prometheus' lexers: a backslash escapes any character but a newline. Only
                // \\, \" and \n mean something; the others stay as written (backslash included).
                if (p + 1 >= limit || buf[p + 1] == '\n') {
                    throw error(p, "invalid escape sequence in quoted string");
                }
                byte n = buf[p + 1];
                lastQuotedEscaped = true;
                if (n != '\\' && n != '"' && n != 'n') {
                    lastQuotedOddEscape = true;
                }
                p = n < 0 && !trusted ? checkUtf8(p + 1) : p + 2;
            } else if (c < 0 && !trusted) {
                p = checkUtf8(p);
            } else {
                p++;
            }
        }
    }

    /** Validates one multi-byte UTF-8 sequence at p and returns the offset after it. */
    int checkUtf8(int p) {
        int b = buf[p] & 0xff;
        int n;
        int min;
        if (b >= 0xc2 && b <= 0xdf) {
            n = 1;
            min = 0x80;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 2;
            min = 0x800;
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 3;
            min = 0x10000;
        } else {
            throw error(p, "invalid UTF-8");
        }
        int cp = b & (0x3f >> n);
        for (int i = 1; i <= n; i++) {
            if (p + i >= limit || (buf[p + i] & 0xc0) != 0x80) {
                throw error(p, "invalid UTF-8");
            }
            cp = (cp << 6) | (buf[p + i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            throw error(p, "invalid UTF-8");
        }
        return p + n + 1;
    }

    /**
     * Validates HELP text in [p, end): UTF-8. Any backslash is accepted, as Prometheus does: only
     * {@code \\}, {@code \n} (and in OpenMetrics {@code \"}) mean something, the rest stays.
     */
    void checkHelp(int p, int end) {
        while (p + 8 <= end && ((long) LONGS.get(buf, p) & HIGHS) == 0) {
            p += 8; // ASCII
        }
        while (p < end) {
            byte c = buf[p];
            if (c < 0) {
                p = checkUtf8(p);
            } else {
                p++;
            }
        }
    }

    /**
     * Parses a metric name at p, legacy or quoted; sets the name fields and returns the offset
     * after it.
     */
    int parseMetricName(int p) {
        if (p < limit && buf[p] == '"') {
            int end = scanQuoted(p);
            setQuotedName(p + 1, end - 1);
            return end;
        }
        int end = scanLegacyName(p, true, "a metric name");
        nameStart = p;
        nameEnd = end;
        return end;
    }

    private void setQuotedName(int start, int end) {
        if (start == end) {
            throw error(start - 1, "empty metric name");
        }
        nameStart = start;
        nameEnd = end;
        nameQuoted = true;
        nameEscaped = lastQuotedEscaped;
    }

    /**
     * Parses a label set at p (an opening brace) into {@code into}. When {@code nameAllowed}, a
     * quoted string not followed by '=' as the first item is the metric name (the UTF-8 form).
     * {@code lenient} allows blanks between tokens and a trailing comma (text 0.0.4).
     */
    int parseLabelSet(int p, LabelSpans into, boolean nameAllowed, boolean lenient) {
        p++;
        into.clear();
        boolean first = true;
        while (true) {
            if (lenient) {
                p = skipBlanks(p);
            }
            if (p >= limit) {
                throw error(p, "unterminated label set");
            }
            if (buf[p] == '}') {
                if (!first && !lenient) {
                    throw error(p, "trailing comma in label set");
                }
                return p + 1;
            }
            int ns;
            int ne;
            boolean escaped = false;
            boolean quoted = buf[p] == '"';
            if (quoted) {
                int end = scanQuoted(p);
                ns = p + 1;
                ne = end - 1;
                escaped = lastQuotedEscaped;
                p = lenient ? skipBlanks(end) : end;
                if (p >= limit || buf[p] != '=') {
                    // The quoted metric name may stand anywhere in the braces (Prometheus 3).
                    if (nameAllowed && nameStart < 0) {
                        setQuotedName(ns, ne);
                        p = afterItem(p, lenient);
                        if (buf[p - 1] == '}') {
                            return p;
                        }
                        first = false;
                        continue;
                    }
                    throw error(p, "expected '=' after label name");
                }
                if (ns == ne) {
                    throw error(ns - 1, "empty label name");
                }
            } else {
                ne = scanLegacyName(p, false, "a label name");
                ns = p;
                p = lenient ? skipBlanks(ne) : ne;
                if (p >= limit || buf[p] != '=') {
                    throw error(p, "expected '=' after label name");
                }
            }
            p++;
            if (lenient) {
                p = skipBlanks(p);
            }
            if (p >= limit || buf[p] != '"') {
                throw error(p, "expected a quoted label value");
            }
            int ve = scanQuoted(p);
            checkNewLabel(into, ns, ne, escaped);
            into.add(ns, ne, quoted, escaped, p + 1, ve - 1, lastQuotedOddEscape);
            p = afterItem(ve, lenient);
            if (buf[p - 1] == '}') {
                return p;
            }
            first = false;
        }
    }

    /**
     * After a label: a comma (returns after it) or the closing brace (returns after it). Text
     * 0.0.4 ({@code lenient}) also takes the next label after blanks without a comma, as
     * Prometheus' text parser does ({@code {a="1" b="2"}}).
     */
    private int afterItem(int p, boolean lenient) {
        if (lenient) {
            int q = skipBlanks(p);
            if (q > p && q < limit && buf[q] != ',' && buf[q] != '}' && buf[q] != '\n') {
                // buf[q - 1] is a blank: the caller reads it as "another item follows".
                return q;
            }
            p = q;
        }
        if (p < limit && buf[p] == ',') {
            p++;
            if (!lenient && p < limit && buf[p] == '}') {
                throw error(p - 1, "trailing comma in label set");
            }
            // Returning here with buf[p-1] == ',' tells the caller another item follows.
            return p;
        }
        if (p < limit && buf[p] == '}') {
            return p + 1;
        }
        throw error(p, "expected ',' or '}' in label set");
    }

    private void checkNewLabel(LabelSpans into, int ns, int ne, boolean escaped) {
        if (trusted) {
            return;
        }
        if (!escaped && ne - ns == 8 && regionEquals(ns, "__name__")) {
            throw error(ns, "label name __name__ is reserved");
        }
        int len = ne - ns;
        for (int i = 0; i < into.count; i++) {
            if (!escaped && !into.nameEscaped[i] && into.nameEnd[i] - into.nameStart[i] != len) {
                continue;
            }
            boolean same = escaped || into.nameEscaped[i]
                    ? labelName(into, i).equals(unescape(buf, ns, ne))
                    : java.util.Arrays.equals(buf, into.nameStart[i], into.nameEnd[i], buf, ns, ne);
            if (same) {
                throw error(ns, "duplicate label name " + unescape(buf, ns, ne));
            }
        }
    }

    boolean regionEquals(int p, String ascii) {
        if (p + ascii.length() > limit) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (buf[p + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Validates a sample value in [p, end): a decimal float with optional sign and exponent,
     * {@code Inf}/{@code Infinity} with optional sign, or {@code NaN} (case-insensitive, as Go's
     * ParseFloat reads them). Hexadecimal floats and digit separators are refused.
     */
    void checkFloat(int p, int end, String what) {
        if (trusted) {
            return;
        }
        if (p == end) {
            throw error(p, "expected " + what);
        }
        int i = p;
        boolean signed = buf[i] == '+' || buf[i] == '-';
        if (signed) {
            i++;
        }
        if (i < end && (buf[i] | 0x20) == 'i') {
            if (equalsIgnoreCase(i, end, "inf") || equalsIgnoreCase(i, end, "infinity")) {
                return;
            }
            throw error(p, "invalid " + what);
        }
        if (i < end && (buf[i] | 0x20) == 'n') {
            if (!signed && equalsIgnoreCase(i, end, "nan")) {
                return;
            }
            throw error(p, "invalid " + what);
        }
        if (!decimal(i, end)) {
            throw error(p, "invalid " + what);
        }
        if (outOfRange(p, end)) {
            throw error(p, what + " out of range");
        }
    }

    /**
     * A decimal beyond the largest float64 (Go's ParseFloat refuses it, so does Prometheus).
     * Only a magnitude near 1e308 is parsed to tell: without allocating for the usual values.
     */
    boolean outOfRange(int p, int end) {
        if (!decimalExponent && end - p <= 300) {
            return false; // the usual value: too few digits, and no exponent (see decimal)
        }
        int integerDigits = 0;
        boolean fraction = false;
        int exponent = 0;
        boolean negativeExponent = false;
        for (int i = p; i < end; i++) {
            byte c = buf[i];
            if (c == '.') {
                fraction = true;
            } else if (c == 'e' || c == 'E') {
                for (int j = i + 1; j < end; j++) {
                    if (buf[j] == '-') {
                        negativeExponent = true;
                    } else if (buf[j] >= '0' && buf[j] <= '9') {
                        exponent = Math.min(100_000, exponent * 10 + (buf[j] - '0'));
                    }
                }
                break;
            } else if (!fraction && c >= '0' && c <= '9') {
                integerDigits++;
            }
        }
        int magnitude = integerDigits + (negativeExponent ? -exponent : exponent);
        return magnitude > 300 && Double.isInfinite(Double.parseDouble(word(p, end)));
    }

    /** Whether [p, end) is a float as Prometheus' parsers read one (see {@link #checkFloat}). */
    boolean isFloat(int p, int end) {
        boolean wasTrusted = trusted;
        trusted = false;
        try {
            checkFloat(p, end, "value");
            return true;
        } catch (ExpositionParseException e) {
            return false;
        } finally {
            trusted = wasTrusted;
        }
    }

    /** Decimal without the special values: digits with optional fraction and exponent. */
    /** The last {@link #decimal} had an exponent (only then can a short number be out of range). */
    private boolean decimalExponent;

    boolean decimal(int i, int end) {
        decimalExponent = false;
        int digits = 0;
        while (i < end && buf[i] >= '0' && buf[i] <= '9') {
            i++;
            digits++;
        }
        if (i < end && buf[i] == '.') {
            i++;
            while (i < end && buf[i] >= '0' && buf[i] <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < end && (buf[i] == 'e' || buf[i] == 'E')) {
            i++;
            if (i < end && (buf[i] == '+' || buf[i] == '-')) {
                i++;
            }
            int exp = 0;
            while (i < end && buf[i] >= '0' && buf[i] <= '9') {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
            decimalExponent = true;
        }
        return i == end;
    }

    boolean equalsIgnoreCase(int p, int end, String lower) {
        if (end - p != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((buf[p + i] | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The word in [p, end) as a String (metadata only, never per sample). */
    String word(int p, int end) {
        return new String(buf, p, end - p, StandardCharsets.US_ASCII);
    }
}
