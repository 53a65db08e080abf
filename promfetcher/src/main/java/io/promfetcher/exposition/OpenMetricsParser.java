package io.promfetcher.exposition;

/**
 * Parser for OpenMetrics 1.0 text. Stricter than text 0.0.4, as the format is: single spaces, no
 * blank lines, no comments other than HELP, TYPE, UNIT; a UNIT must be the family name's suffix;
 * timestamps are seconds (a float); exemplars follow {@code " # "}; the input ends with
 * {@code # EOF} and nothing after it.
 */
public final class OpenMetricsParser extends ExpositionParser {
    private boolean fragment;
    private boolean sawEof;

    OpenMetricsParser(byte[] buf, int offset, int length, int firstLine, boolean fragment) {
        super(buf, offset, length, firstLine);
        this.fragment = fragment;
    }

    @Override
    void resetFormatState() {
        fragment = true;
        sawEof = false;
    }

    @Override
    public InputFormat format() {
        return InputFormat.OPENMETRICS_TEXT;
    }

    @Override
    public Entry next() {
        if (pos >= limit) {
            if (!sawEof && !fragment) {
                lineStart = pos;
                entryLine = line;
                throw error(pos, "missing # EOF at the end");
            }
            return Entry.END;
        }
        startEntry();
        int p = pos;
        if (sawEof) {
            throw error(p, "unexpected content after # EOF");
        }
        if (buf[p] == '\n') {
            throw error(p, "empty line");
        }
        if (buf[p] == '#') {
            return comment(p);
        }
        return sample(p);
    }

    private Entry comment(int p) {
        if (regionEquals(p, "# EOF") && (p + 5 == limit || buf[p + 5] == '\n')) {
            sawEof = true;
            endLine(p + 5);
            if (pos < limit) {
                entryLine = line;
                lineStart = pos;
                throw error(pos, "unexpected content after # EOF");
            }
            return Entry.END;
        }
        Entry entry;
        if (regionEquals(p, "# HELP ")) {
            entry = Entry.HELP;
        } else if (regionEquals(p, "# TYPE ")) {
            entry = Entry.TYPE;
        } else if (regionEquals(p, "# UNIT ")) {
            entry = Entry.UNIT;
        } else {
            throw error(p, "comment lines other than HELP, TYPE, UNIT and EOF are not allowed in OpenMetrics");
        }
        int afterName = parseMetricName(p + 7);
        int end = lineEnd(afterName);
        if (end >= limit) {
            throw error(end, "missing newline");
        }
        if (afterName == end) {
            throw error(afterName, "expected text in " + entry.name());
        }
        if (buf[afterName] != ' ') {
            throw error(afterName, "expected a space after the metric name");
        }
        int q = afterName + 1;
        if (entry == Entry.HELP) {
            checkHelp(q, end);
        } else if (entry == Entry.TYPE) {
            type = MetricType.fromOpenMetrics(buf, q, end);
            if (type == null) {
                throw error(q, "unknown metric type " + ExpositionParser.unescape(buf, q, end));
            }
        } else {
            for (int i = q; i < end; i++) {
                if (!EscapingScheme.legacyChar(buf[i], false, true)) {
                    throw error(i, "invalid character in unit");
                }
            }
            if (end > q && !unitIsSuffix(q, end)) {
                throw error(q, "unit " + word(q, end) + " is not the suffix of the metric name");
            }
        }
        textStart = q;
        textEnd = end;
        endLine(end);
        return entry;
    }

    private boolean unitIsSuffix(int unitStart, int unitEnd) {
        String name = metricName();
        String unit = word(unitStart, unitEnd);
        return name.endsWith("_" + unit);
    }

    private Entry sample(int p) {
        if (buf[p] == '{') {
            p = parseLabelSet(p, labels, true, false);
            if (nameStart < 0) {
                throw error(p - 1, "expected a metric name");
            }
        } else {
            p = parseMetricName(p);
            if (p < limit && buf[p] == '{') {
                p = parseLabelSet(p, labels, false, false);
            }
        }
        p = space(p, "value");
        int ve = token(p);
        checkFloat(p, ve, "value");
        valueStart = p;
        valueEnd = ve;
        p = ve;
        if (p < limit && buf[p] == ' ' && !(p + 1 < limit && buf[p + 1] == '#')) {
            p++;
            int te = token(p);
            checkTimestamp(p, te);
            timestampStart = p;
            timestampEnd = te;
            p = te;
        }
        if (p < limit && buf[p] == ' ') {
            p = exemplar(p + 1);
        }
        if (p >= limit) {
            throw error(p, "missing newline");
        }
        if (buf[p] != '\n') {
            throw error(p, "unexpected text after the sample");
        }
        endLine(p);
        return Entry.SAMPLE;
    }

    /** p is at the '#' of {@code # {labels} value [timestamp]}. */
    private int exemplar(int p) {
        if (!regionEquals(p, "# {")) {
            throw error(p, "expected an exemplar");
        }
        exemplarStart = p + 2;
        p = parseLabelSet(p + 2, exemplarLabels, false, false);
        p = space(p, "exemplar value");
        int ve = token(p);
        checkFloat(p, ve, "exemplar value");
        exemplarValueStart = p;
        exemplarValueEnd = ve;
        p = ve;
        if (p < limit && buf[p] == ' ') {
            p++;
            int te = token(p);
            checkTimestamp(p, te);
            exemplarTimestampStart = p;
            exemplarTimestampEnd = te;
            p = te;
        }
        hasExemplar = true;
        return p;
    }

    private int space(int p, String what) {
        if (p >= limit || buf[p] != ' ') {
            throw error(p, "expected a space before the " + what);
        }
        return p + 1;
    }

    private int token(int p) {
        while (p < limit && buf[p] != ' ' && buf[p] != '\n') {
            p++;
        }
        return p;
    }

    /** Seconds as a float: a decimal within float64's range (Prometheus refuses NaN and Inf). */
    private void checkTimestamp(int p, int end) {
        if (trusted) {
            return;
        }
        int i = p;
        if (i < end && (buf[i] == '+' || buf[i] == '-')) {
            i++;
        }
        if (!decimal(i, end)) {
            throw error(p, "invalid timestamp");
        }
        if (outOfRange(p, end)) {
            throw error(p, "timestamp out of range");
        }
    }
}
