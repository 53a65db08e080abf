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
            if (buf[p] == '#') {
                return comment(p + 1);
            }
            return sample(p);
        }
    }

    private Entry comment(int p) {
        p = skipBlanks(p);
        int wordEnd = p;
        while (wordEnd < limit && buf[wordEnd] != ' ' && buf[wordEnd] != '\t' && buf[wordEnd] != '\n') {
            wordEnd++;
        }
        boolean help = wordEnd - p == 4 && regionEquals(p, "HELP");
        boolean typeLine = wordEnd - p == 4 && regionEquals(p, "TYPE");
        if (!help && !typeLine) {
            endLine(lineEnd(p));
            return Entry.COMMENT;
        }
        p = skipBlanks(wordEnd);
        if (p >= limit || buf[p] == '\n') {
            throw error(p, "expected a metric name after " + (help ? "HELP" : "TYPE"));
        }
        int afterName = parseMetricName(p);
        int q = skipBlanks(afterName);
        if (help) {
            int end = lineEnd(q);
            if (q == afterName && q < end) {
                throw error(q, "expected a blank after the metric name");
            }
            checkHelp(q, end, false);
            textStart = q;
            textEnd = end;
            endLine(end);
            return Entry.HELP;
        }
        if (q == afterName) {
            throw error(q, "expected a blank and a type after the metric name");
        }
        int typeEnd = q;
        while (typeEnd < limit && buf[typeEnd] != ' ' && buf[typeEnd] != '\t' && buf[typeEnd] != '\n') {
            typeEnd++;
        }
        type = MetricType.fromText(word(q, typeEnd));
        if (type == null) {
            throw error(q, "unknown metric type " + ExpositionParser.unescape(buf, q, typeEnd));
        }
        int end = skipBlanks(typeEnd);
        if (end < limit && buf[end] != '\n') {
            throw error(end, "unexpected text after the type");
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
        if (v == p || v >= limit || buf[v] == '\n') {
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

    /** Integer milliseconds that fit in 64 bits, as Go's ParseInt reads them. */
    private void checkTimestamp(int p, int end) {
        if (trusted) {
            return;
        }
        int i = p;
        if (buf[i] == '-' || buf[i] == '+') {
            i++;
        }
        if (i == end || end - i > 19) {
            throw error(p, "invalid timestamp");
        }
        long value = 0;
        for (int j = i; j < end; j++) {
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
