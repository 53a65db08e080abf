package io.promfetcher.exposition;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Second pass of a merge: writes merged families in text (0.0.4/1.0.0) or OpenMetrics 1.0.0,
 * parsing each instance's recorded ranges again and copying names, label values and values as
 * raw bytes where the formats agree. Written by hand rather than through client_java's model,
 * which would rename text counters (adding {@code _total}) and has no place for raw exemplars or
 * untyped {@code _created} series.
 *
 * <p>Down-conversion to text follows what Prometheus stores when it scrapes OpenMetrics: every
 * series keeps its name, exemplars and UNIT are dropped, a counter {@code foo} becomes text
 * counter {@code foo_total}, {@code _created} series become gauges {@code foo_created}, info
 * {@code foo} becomes gauge {@code foo_info}, stateset a gauge, gaugehistogram three gauges
 * {@code foo_bucket}, {@code foo_gcount}, {@code foo_gsum}, unknown becomes untyped; timestamps
 * turn from seconds into milliseconds (truncated, as Prometheus does). Up-conversion: a text
 * counter without the {@code _total} suffix is written as {@code unknown} (OpenMetrics would
 * require renaming it), untyped as unknown, millisecond timestamps as seconds.
 */
final class ExpositionWriter {
    private static final byte[] EMPTY = new byte[0];

    /** How one merged family is written in text: one or more text families. */
    private record TextPart(String suffix, String textType, byte[][] sampleSuffixes, boolean main) {}

    private final ByteSink sink;
    private final boolean om;
    private final EscapingScheme escaping;
    private final LabelNaming naming;
    private final LabelNaming exemplarNaming;
    /** Text family names already written: text cannot have two families of one name. */
    private final Set<String> textNames = new HashSet<>();
    private final MergedFamily.Segment cursor = new MergedFamily.Segment();

    /** Every family's key: an OpenMetrics name that is also another family's key is not used. */
    private final Set<String> keys;
    /** OpenMetrics family names already written. */
    private final Set<String> openMetricsNames = new HashSet<>();

    ExpositionWriter(ByteSink sink, OutputFormat format, boolean statusIncluded, Set<String> keys) {
        this.keys = keys;
        this.sink = sink;
        this.om = format.isOpenMetrics();
        this.escaping = format.escaping();
        this.naming = new LabelNaming(escaping);
        this.exemplarNaming = new LabelNaming(escaping);
        if (statusIncluded) {
            for (String name : ExpositionMerger.STATUS_FAMILIES) {
                textNames.add(escaping.escape(name, true));
            }
        }
    }

    /** The target labels as written after the app's labels: {@code name="value",...}. */
    byte[] targetBlock(TargetLabels target) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(256);
        List<String> values = target.values();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.write(',');
            }
            b.writeBytes(escaping.escape(TargetLabels.NAMES.get(i), false).getBytes(StandardCharsets.UTF_8));
            b.write('=');
            b.write('"');
            b.writeBytes(LabelNaming.escapeQuoted(values.get(i)).getBytes(StandardCharsets.UTF_8));
            b.write('"');
        }
        return b.toByteArray();
    }

    void family(MergedFamily f) throws IOException {
        if (om) {
            openMetricsFamily(f);
        } else {
            for (TextPart part : textParts(f)) {
                textPart(f, part);
            }
        }
    }

    void finish() throws IOException {
        if (om) {
            sink.ascii("# EOF\n");
        }
        sink.flush();
    }

    // ---- OpenMetrics ----

    private void openMetricsFamily(MergedFamily f) throws IOException {
        if (!f.outName.equals(f.key) && (keys.contains(f.outName) || openMetricsNames.contains(f.outName))) {
            // Text's gauge foo beside counter foo_total: OpenMetrics cannot have two families foo,
            // so this one keeps its main series under its text name, as unknown, rather than
            // rename them. Its other series (foo_created) would then belong to no family: they
            // are dropped and counted as conflicts. No UNIT: it would not be the name's suffix.
            openMetricsNames.add(f.key);
            List<TextPart> parts = textParts(f);
            TextPart main = parts.get(0);
            metadataStart("# TYPE ", f, main.suffix());
            sink.ascii("unknown\n");
            help(f, main.suffix());
            for (TextPart part : parts) {
                for (int s = 0; s < f.segmentCount; s++) {
                    samples(f, f.segment(s, cursor), part, part != main);
                }
            }
            return;
        }
        openMetricsNames.add(f.outName);
        metadataStart("# TYPE ", f, "");
        sink.ascii(f.bareCounter ? "unknown" : f.type.openMetricsName());
        sink.write((byte) '\n');
        if (f.unit != null && !f.unit.isEmpty()) {
            metadataStart("# UNIT ", f, "");
            sink.utf8(f.unit);
            sink.write((byte) '\n');
        }
        help(f, "");
        for (int s = 0; s < f.segmentCount; s++) {
            samples(f, f.segment(s, cursor), null, false);
        }
    }

    // ---- text ----

    private static final TextPart CREATED = new TextPart("_created", "gauge", new byte[][] {bytes("_created")}, false);
    private static final List<TextPart> BARE_COUNTER = List.of(new TextPart("", "counter", new byte[][] {EMPTY}, true));
    private static final List<TextPart> COUNTER =
            List.of(new TextPart("_total", "counter", new byte[][] {bytes("_total")}, true), CREATED);
    private static final List<TextPart> HISTOGRAM = List.of(new TextPart("", "histogram",
            new byte[][] {bytes("_bucket"), bytes("_count"), bytes("_sum")}, true), CREATED);
    private static final List<TextPart> SUMMARY = List.of(new TextPart("", "summary",
            new byte[][] {EMPTY, bytes("_count"), bytes("_sum")}, true), CREATED);
    private static final List<TextPart> GAUGE_HISTOGRAM = List.of(
            new TextPart("_bucket", "gauge", new byte[][] {bytes("_bucket")}, true),
            new TextPart("_gcount", "gauge", new byte[][] {bytes("_gcount")}, false),
            new TextPart("_gsum", "gauge", new byte[][] {bytes("_gsum")}, false));
    private static final List<TextPart> INFO = List.of(new TextPart("_info", "gauge", new byte[][] {bytes("_info")}, true));
    private static final List<TextPart> UNTYPED = List.of(new TextPart("", "untyped", new byte[][] {EMPTY}, true));
    private static final List<TextPart> GAUGE = List.of(new TextPart("", "gauge", new byte[][] {EMPTY}, true));

    private static List<TextPart> textParts(MergedFamily f) {
        if (f.bareCounter) {
            return BARE_COUNTER;
        }
        switch (f.type) {
            case COUNTER: return COUNTER;
            case HISTOGRAM: return HISTOGRAM;
            case SUMMARY: return SUMMARY;
            case GAUGE_HISTOGRAM: return GAUGE_HISTOGRAM;
            case INFO: return INFO;
            case UNKNOWN: return UNTYPED;
            default: return GAUGE;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void textPart(MergedFamily f, TextPart part) throws IOException {
        if (part.main() && f.type != MetricType.GAUGE_HISTOGRAM) {
            // The main part's name is the family's key, which no other family has.
            help(f, part.suffix());
            metadataStart("# TYPE ", f, part.suffix());
            // promtool (Prometheus' common/expfmt) refuses a histogram bucket whose le, or a
            // summary quantile, is not a float; Prometheus stores them: untyped keeps them all.
            boolean badBound = (f.type == MetricType.HISTOGRAM && (f.badBound & 1) != 0)
                    || (f.type == MetricType.SUMMARY && (f.badBound & 2) != 0);
            sink.ascii(badBound ? "untyped" : part.textType());
            sink.write((byte) '\n');
            for (int s = 0; s < f.segmentCount; s++) {
                samples(f, f.segment(s, cursor), part, false);
            }
            return;
        }
        if (!f.anyOpenMetrics) {
            return;
        }
        // The other parts (foo_created, a gauge histogram's foo_bucket, ...) exist only when
        // samples need them, and only when their name is free: a family's own name (text's gauge
        // foo_created beside counter foo_total is common) or an earlier part's.
        Boolean free = null;
        for (int s = 0; s < f.segmentCount; s++) {
            MergedFamily.Segment segment = f.segment(s, cursor);
            if (free == null && hasSample(f, segment, part)) {
                String textName = f.outName + part.suffix();
                free = !keys.contains(textName) && textNames.add(textName);
                if (free) {
                    if (part.main()) {
                        help(f, part.suffix());
                    }
                    metadataStart("# TYPE ", f, part.suffix());
                    sink.ascii(part.textType());
                    sink.write((byte) '\n');
                }
            }
            if (free != null) {
                // When the name is taken, writing both would not parse: these samples are
                // dropped and counted as conflicts.
                samples(f, segment, part, !free);
            }
        }
    }

    private boolean hasSample(MergedFamily f, MergedFamily.Segment segment, TextPart part) {
        ExpositionParser p = position(segment);
        int k = firstSkipped(segment);
        while (true) {
            ExpositionParser.Entry e = p.next();
            if (e == ExpositionParser.Entry.END) {
                return false;
            }
            if (e != ExpositionParser.Entry.SAMPLE) {
                continue;
            }
            int[] skipped = segment.instance().skipped;
            while (k < segment.instance().skippedCount && skipped[k] < p.entryStart) {
                k++;
            }
            if (k < segment.instance().skippedCount && skipped[k] == p.entryStart) {
                continue;
            }
            if (inPart(p, segment, part, textParts(f))) {
                return true;
            }
        }
    }

    // ---- samples ----

    private static ExpositionParser position(MergedFamily.Segment segment) {
        ExpositionParser p = segment.instance().parser;
        p.reset(segment.start(), segment.end(), segment.line());
        return p;
    }

    private static int firstSkipped(MergedFamily.Segment segment) {
        int[] skipped = segment.instance().skipped;
        int n = segment.instance().skippedCount;
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (skipped[mid] < segment.start()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Writes (or, when {@code drop}, counts as conflicts) the samples of one segment that belong to
     * {@code part} (all of them when part is null), skipping duplicates.
     */
    private void samples(MergedFamily f, MergedFamily.Segment segment, TextPart part, boolean drop) throws IOException {
        ExpositionMerger.Instance instance = segment.instance();
        ExpositionParser p = position(segment);
        int k = firstSkipped(segment);
        while (true) {
            ExpositionParser.Entry e = p.next();
            if (e == ExpositionParser.Entry.END) {
                return;
            }
            if (e != ExpositionParser.Entry.SAMPLE) {
                continue;
            }
            while (k < instance.skippedCount && instance.skipped[k] < p.entryStart) {
                k++;
            }
            if (k < instance.skippedCount && instance.skipped[k] == p.entryStart) {
                continue;
            }
            if (part != null && !inPart(p, segment, part, textParts(f))) {
                continue;
            }
            if (drop || (segment.foreign() && !fits(f, segment, p)) || !sample(f, segment, p)) {
                instance.samples--;
                instance.conflicts++;
            }
        }
    }

    /**
     * Whether the sample belongs to the part: its suffix is one of the part's, or, for the main
     * part, no other part's (a sample named like its family but not fitting its type, which
     * Prometheus keeps, is written with the family's main samples).
     */
    private static boolean inPart(ExpositionParser p, MergedFamily.Segment segment, TextPart part, List<TextPart> parts) {
        if (!part.main()) {
            return hasSuffix(p, segment, part);
        }
        for (TextPart other : parts) {
            if (other != part && hasSuffix(p, segment, other)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasSuffix(ExpositionParser p, MergedFamily.Segment segment, TextPart part) {
        byte[] b = p.buf;
        int start = p.nameStart + segment.nameLength();
        int end = p.nameEnd;
        if (p.nameEscaped) {
            b = p.metricName().getBytes(StandardCharsets.UTF_8);
            start = segment.nameLength();
            end = b.length;
        }
        for (byte[] suffix : part.sampleSuffixes()) {
            if (suffix.length == end - start && FamilyIndexer.same(b, start, suffix, 0, suffix.length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes one sample; false (nothing written) when its timestamp cannot be written in text:
     * OpenMetrics seconds beyond 64-bit milliseconds, a sample Prometheus does not store either.
     */
    private boolean sample(MergedFamily f, MergedFamily.Segment segment, ExpositionParser p) throws IOException {
        byte[] buf = p.buf;
        String milliseconds = null;
        if (!om && p.timestampStart >= 0 && p.format() == InputFormat.OPENMETRICS_TEXT) {
            milliseconds = secondsToMilliseconds(p, p.timestampStart, p.timestampEnd);
            if (milliseconds == null) {
                return false;
            }
        }
        // Name: the family name as written, then the sample's own suffix.
        if (f.quoted) {
            sink.ascii("{\"");
            sink.utf8(LabelNaming.escapeQuoted(f.outName));
        } else {
            sink.write(f.outNameBytes);
        }
        if (p.nameEscaped) {
            byte[] full = p.metricName().getBytes(StandardCharsets.UTF_8);
            sink.write(full, segment.nameLength(), full.length - segment.nameLength());
        } else {
            sink.write(buf, p.nameStart + segment.nameLength(), p.nameEnd - p.nameStart - segment.nameLength());
        }
        sink.write(f.quoted ? (byte) '"' : (byte) '{');
        if (f.quoted) {
            sink.write((byte) ',');
        }
        labels(p, p.labels, naming, true);
        sink.write(segment.instance().targetBlock);
        sink.write((byte) '}');
        sink.write((byte) ' ');
        value(buf, p.valueStart, p.valueEnd);
        if (milliseconds != null) {
            sink.write((byte) ' ');
            sink.ascii(milliseconds);
        } else if (p.timestampStart >= 0) {
            sink.write((byte) ' ');
            timestamp(p, p.timestampStart, p.timestampEnd);
        }
        // OpenMetrics 1.0 has exemplars on counter totals and buckets only (Prometheus 2 refuses
        // any other); a newer client may put them elsewhere: those are dropped.
        if (om && p.hasExemplar && (nameEndsWith(p, TOTAL) || nameEndsWith(p, BUCKET))) {
            sink.ascii(" # {");
            labels(p, p.exemplarLabels, exemplarNaming, false);
            sink.ascii("} ");
            value(buf, p.exemplarValueStart, p.exemplarValueEnd);
            if (p.exemplarTimestampStart >= 0) {
                sink.write((byte) ' ');
                sink.write(buf, p.exemplarTimestampStart, p.exemplarTimestampEnd - p.exemplarTimestampStart);
            }
        }
        sink.write((byte) '\n');
        return true;
    }

    /**
     * Whether a sample of an instance that gave the family another type can be written in it:
     * its name starts with the family's name and, in OpenMetrics, goes on with a suffix the
     * family's type has (in text, the family's parts take any suffix).
     */
    private boolean fits(MergedFamily f, MergedFamily.Segment segment, ExpositionParser p) {
        byte[] b = p.buf;
        int start = p.nameStart;
        int end = p.nameEnd;
        if (p.nameEscaped) {
            b = p.metricName().getBytes(StandardCharsets.UTF_8);
            start = 0;
            end = b.length;
        }
        int base = f.baseName.length;
        if (end - start < base || !FamilyIndexer.same(b, start, f.baseName, 0, base)) {
            return false;
        }
        if (!om) {
            return true;
        }
        int rest = end - start - base;
        MetricType written = f.bareCounter ? MetricType.UNKNOWN : f.type;
        for (byte[] suffix : written.suffixBytes(InputFormat.OPENMETRICS_TEXT)) {
            if (suffix.length == rest && FamilyIndexer.same(b, start + base, suffix, 0, rest)) {
                return true;
            }
        }
        return false;
    }

    private static final byte[] TOTAL = bytes("_total");
    private static final byte[] BUCKET = bytes("_bucket");

    private static boolean nameEndsWith(ExpositionParser p, byte[] suffix) {
        int start = p.nameEnd - suffix.length;
        return start >= p.nameStart && FamilyIndexer.same(p.buf, start, suffix, 0, suffix.length);
    }

    /**
     * OpenMetrics seconds as text milliseconds (truncated, as Prometheus does); null when text
     * cannot say it: beyond 64 bits, or before 1970 (Prometheus' text parser has no sign).
     */
    private static String secondsToMilliseconds(ExpositionParser p, int start, int end) {
        java.math.BigInteger ms = new BigDecimal(p.utf8(start, end)).movePointRight(3)
                .setScale(0, RoundingMode.DOWN).toBigIntegerExact();
        return ms.signum() >= 0 && ms.bitLength() < 64 ? ms.toString() : null;
    }

    /**
     * Writes a label set without braces. Series labels end with a comma (the target labels
     * follow); exemplar labels do not. Raw bytes are copied in one piece when the input already
     * has the canonical form.
     */
    private void labels(ExpositionParser p, LabelSpans spans, LabelNaming names, boolean series) throws IOException {
        int n = spans.count;
        if (n == 0) {
            return;
        }
        byte[] buf = p.buf;
        boolean resolved = names.resolve(p, spans, series);
        if (!resolved && canonical(spans)) {
            sink.write(buf, spans.nameStart[0], spans.valueEnd[n - 1] + 1 - spans.nameStart[0]);
            if (series) {
                sink.write((byte) ',');
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sink.write((byte) ',');
            }
            if (!resolved) {
                sink.write(buf, spans.nameStart[i], spans.nameEnd[i] - spans.nameStart[i]);
            } else if (names.quoted[i]) {
                sink.write((byte) '"');
                sink.utf8(LabelNaming.escapeQuoted(names.names[i]));
                sink.write((byte) '"');
            } else {
                sink.utf8(names.names[i]);
            }
            sink.ascii("=\"");
            if (spans.valueOddEscape[i]) {
                // \q means backslash-q to Prometheus: written so that every reader agrees.
                sink.utf8(LabelNaming.escapeQuoted(ExpositionParser.unescape(buf, spans.valueStart[i], spans.valueEnd[i])));
            } else {
                sink.write(buf, spans.valueStart[i], spans.valueEnd[i] - spans.valueStart[i]);
            }
            sink.write((byte) '"');
        }
        if (series) {
            sink.write((byte) ',');
        }
    }

    /** {@code a="x",b="y"}: unquoted names, no blanks, no trailing comma, only the escapes every reader knows. */
    private static boolean canonical(LabelSpans spans) {
        for (int i = 0; i < spans.count; i++) {
            if (spans.nameEnd[i] + 2 != spans.valueStart[i] || spans.valueOddEscape[i]) {
                return false;
            }
            if (i > 0 && spans.valueEnd[i - 1] + 2 != spans.nameStart[i]) {
                return false;
            }
        }
        return true;
    }

    /** A value as written, with Inf and NaN spelt the one way both formats accept. */
    private void value(byte[] buf, int start, int end) throws IOException {
        int i = start;
        if (buf[i] == '+' || buf[i] == '-') {
            i++;
        }
        int c = buf[i] | 0x20;
        if (c == 'i') {
            sink.ascii(buf[start] == '-' ? "-Inf" : "+Inf");
        } else if (c == 'n') {
            sink.ascii("NaN");
        } else {
            sink.write(buf, start, end - start);
        }
    }

    private void timestamp(ExpositionParser p, int start, int end) throws IOException {
        boolean fromOm = p.format() == InputFormat.OPENMETRICS_TEXT;
        if (fromOm == om) {
            sink.write(p.buf, start, end - start);
        } else {
            millisecondsToSeconds(p.buf, start, end);
        }
    }

    private void millisecondsToSeconds(byte[] buf, int start, int end) throws IOException {
        int i = start;
        if (buf[i] == '-') {
            sink.write((byte) '-');
            i++;
        } else if (buf[i] == '+') {
            i++;
        }
        int digits = end - i;
        if (digits <= 3) {
            sink.ascii("0.");
            for (int pad = digits; pad < 3; pad++) {
                sink.write((byte) '0');
            }
            sink.write(buf, i, digits);
        } else {
            sink.write(buf, i, digits - 3);
            sink.write((byte) '.');
            sink.write(buf, end - 3, 3);
        }
    }

    // ---- metadata ----

    /** Writes {@code prefix}, the family's name plus {@code suffix}, and a space. */
    private void metadataStart(String prefix, MergedFamily f, String suffix) throws IOException {
        sink.ascii(prefix);
        if (f.quoted) {
            sink.write((byte) '"');
            sink.utf8(LabelNaming.escapeQuoted(f.outName + suffix));
            sink.write((byte) '"');
        } else {
            sink.write(f.outNameBytes);
            sink.ascii(suffix);
        }
        sink.write((byte) ' ');
    }

    /** The HELP line, copied as it was written when the formats escape it alike. */
    private void help(MergedFamily f, String suffix) throws IOException {
        if (f.helpBuf == null) {
            return;
        }
        metadataStart("# HELP ", f, suffix);
        if (f.helpFromOpenMetrics == om && canonicalHelp(f.helpBuf, f.helpStart, f.helpEnd)) {
            sink.write(f.helpBuf, f.helpStart, f.helpEnd - f.helpStart);
        } else {
            sink.utf8(escapeHelp(f.help()));
        }
        sink.write((byte) '\n');
    }

    private void metadata(String prefix, byte[] name, String text) throws IOException {
        sink.ascii(prefix);
        sink.write(name);
        sink.write((byte) ' ');
        sink.utf8(text);
        sink.write((byte) '\n');
    }

    /** HELP as written holds only the escapes the output format knows (\\, \n; and \" in OpenMetrics). */
    private boolean canonicalHelp(byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            if (b[i] == '\\') {
                byte n = i + 1 < end ? b[i + 1] : 0;
                if (n != '\\' && n != 'n' && !(om && n == '"')) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    private String escapeHelp(String help) {
        String escaped = help.replace("\\", "\\\\").replace("\n", "\\n");
        return om ? escaped.replace("\"", "\\\"") : escaped;
    }

    // ---- scrape status (design §5) ----

    void scrapeStatus(List<ExpositionMerger.Instance> instances) throws IOException {
        String[] help = {
            "1 if the instance was scraped and its metrics parsed, else 0.",
            "Time taken to scrape the instance.",
            "Samples taken from the instance.",
            "1 for an instance that failed (or lost samples to a conflict), with the reason.",
        };
        MergeReport.InstanceOutcome[] outcomes = new MergeReport.InstanceOutcome[instances.size()];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = instances.get(i).outcome();
        }
        for (int f = 0; f < ExpositionMerger.STATUS_FAMILIES.size(); f++) {
            String family = ExpositionMerger.STATUS_FAMILIES.get(f);
            byte[] name = escaping.escape(family, true).getBytes(StandardCharsets.UTF_8);
            if (om) {
                metadata("# TYPE ", name, "gauge");
                if (family.endsWith("_seconds")) {
                    metadata("# UNIT ", name, "seconds");
                }
                metadata("# HELP ", name, help[f]);
            } else {
                metadata("# HELP ", name, help[f]);
                metadata("# TYPE ", name, "gauge");
            }
            for (int i = 0; i < outcomes.length; i++) {
                ExpositionMerger.Instance instance = instances.get(i);
                MergeReport.InstanceOutcome outcome = outcomes[i];
                String value;
                String reason = null;
                switch (f) {
                    case 0:
                        value = outcome.up() ? "1" : "0";
                        break;
                    case 1:
                        value = Double.toString(outcome.duration().toNanos() / 1e9);
                        break;
                    case 2:
                        value = Integer.toString(outcome.samples());
                        break;
                    default:
                        if (outcome.errorReason().isEmpty()) {
                            continue;
                        }
                        reason = outcome.errorReason().get();
                        value = "1";
                }
                sink.write(name);
                sink.write((byte) '{');
                if (reason != null) {
                    sink.ascii(escaping.escape("reason", false));
                    sink.ascii("=\"");
                    sink.ascii(reason);
                    sink.ascii("\",");
                }
                sink.write(instance.targetBlock);
                sink.ascii("} ");
                sink.ascii(value);
                sink.write((byte) '\n');
            }
        }
    }
}
