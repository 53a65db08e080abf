package io.promfetcher.exposition;

/**
 * Parser for the Prometheus text format 0.0.4 (and 1.0.0, which adds quoted UTF-8 names). As in
 * Prometheus: blanks and tabs separate tokens, blank lines and comments other than HELP and TYPE
 * are allowed, timestamps are integer milliseconds, there are no exemplars, no UNIT and no
 * {@code # EOF}; TYPE knows counter, gauge, histogram, summary and untyped.
 */
public final class PrometheusTextParser extends ExpositionParser {

    PrometheusTextParser(byte[] buf, int offset, int length, int firstLine) {
        super(buf, offset, length, firstLine);
    }

    @Override
    public InputFormat format() {
        return InputFormat.PROMETHEUS_TEXT;
    }

    @Override
    public Entry next() {
        while (true) {
            if (pos >= limit) {
                return Entry.END;
            }
            startEntry();
            int p = skipBlanks(pos);
            if (p >= limit || buf[p] == '\n') {
                endLine(p);
                continue;
            }
            if (buf[p] == 0) {
                // Prometheus' lexer reads a NUL where an entry starts as the end of the input.
                pos = limit;
                return Entry.END;
            }
            if (buf[p] == '#') {
                return comment(p + 1);
            }
            if (p > pos) {
                // Prometheus takes the blanks for part of the name, and refuses it.
                throw error(pos, "unexpected blank before the metric name");
            }
            return sample(p);
        }
    }

    /**
     * As Prometheus' lexer: {@code #} and blanks, then HELP or TYPE and blanks, make metadata;
     * anything else ({@code #HELP}, a lone {@code # HELP}) is a comment. The text is the rest of
     * the line after the one character following the name.
     */
    private Entry comment(int p) {
        int wordStart = skipBlanks(p);
        int wordEnd = wordStart;
        while (wordEnd < limit && buf[wordEnd] != ' ' && buf[wordEnd] != '\t' && buf[wordEnd] != '\n') {
            wordEnd++;
        }
        boolean help = wordEnd - wordStart == 4 && regionEquals(wordStart, "HELP");
        boolean typeLine = wordEnd - wordStart == 4 && regionEquals(wordStart, "TYPE");
        int nameAt = skipBlanks(wordEnd);
        if (wordStart == p || (!help && !typeLine) || nameAt == wordEnd) {
            endLine(lineEnd(p));
            return Entry.COMMENT;
        }
        if (nameAt >= limit || buf[nameAt] == '\n') {
            throw error(nameAt, "expected a metric name after " + (help ? "HELP" : "TYPE"));
        }
        int afterName = parseMetricName(nameAt);
        int end = lineEnd(afterName);
        int q = Math.min(afterName + 1, end);
        if (help) {
            checkHelp(q, end);
            textStart = q;
            textEnd = end;
            endLine(end);
            return Entry.HELP;
        }
        if (q == end) {
            throw error(q, "expected a type after the metric name");
        }
        type = MetricType.fromText(buf, q, end);
        if (type == null) {
            throw error(q, "unknown metric type " + ExpositionParser.unescape(buf, q, end));
        }
        endLine(end);
        return Entry.TYPE;
    }

    private Entry sample(int p) {
        if (buf[p] == '{') {
            p = parseLabelSet(p, labels, true, true);
            if (nameStart < 0) {
                throw error(p - 1, "expected a metric name");
            }
        } else {
            p = parseMetricName(p);
            int q = skipBlanks(p);
            if (q < limit && buf[q] == '{') {
                p = parseLabelSet(q, labels, false, true);
            }
        }
        int v = skipBlanks(p);
        // A blank separates name and value; after the closing brace none is needed.
        if ((v == p && buf[p - 1] != '}') || v >= limit || buf[v] == '\n') {
            throw error(v, "expected a blank and a value");
        }
        int ve = token(v);
        checkFloat(v, ve, "value");
        valueStart = v;
        valueEnd = ve;
        int t = skipBlanks(ve);
        if (t < limit && buf[t] != '\n') {
            int te = token(t);
            checkTimestamp(t, te);
            timestampStart = t;
            timestampEnd = te;
            t = skipBlanks(te);
            if (t < limit && buf[t] != '\n') {
                throw error(t, "unexpected text after the timestamp");
            }
        }
        endLine(t);
        return Entry.SAMPLE;
    }

    private int token(int p) {
        while (p < limit && buf[p] != ' ' && buf[p] != '\t' && buf[p] != '\n') {
            p++;
        }
        return p;
    }

    /** Integer milliseconds, digits only (Prometheus' lexer has no sign), that fit in 64 bits. */
    private void checkTimestamp(int p, int end) {
        if (trusted) {
            return;
        }
        if (end - p > 19) {
            throw error(p, "invalid timestamp");
        }
        long value = 0;
        for (int j = p; j < end; j++) {
            byte c = buf[j];
            if (c < '0' || c > '9') {
                throw error(p, "invalid timestamp");
            }
            value = value * 10 + (c - '0');
            if (value < 0) {
                throw error(p, "timestamp out of range");
            }
        }
    }
}
