package io.promfetcher.exposition;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the two line-based writers share ({@link TextWriter}, {@link OpenMetricsWriter}): the
 * write phase of a merge, which writes merged families from the samples the indexing pass
 * recorded ({@link SampleRecords}), copying names, label sections, values, timestamps and
 * exemplars as raw bytes where the formats agree, without parsing the bodies again. Written by hand rather than through client_java's model,
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
abstract class LineWriter implements ExpositionWriter {
    private static final byte[] EMPTY = new byte[0];

    /** How one merged family is written in text: one or more text families. */
    record TextPart(String suffix, String textType, byte[][] sampleSuffixes, boolean main) {}

    final ByteSink sink;
    /** The format whose syntax this writer writes: raw bytes of input in that syntax are copied. */
    private final InputFormat syntax;
    final EscapingScheme escaping;
    private final LabelNaming naming;
    private final LabelNaming exemplarNaming;
    /** Text family names already written: text cannot have two families of one name. */
    final Set<String> textNames = new HashSet<>();
    final MergedFamily.Segment cursor = new MergedFamily.Segment();
    /** The sample being written (reused). */
    final RecordedSample current = new RecordedSample();

    /** Every family's key: an OpenMetrics name that is also another family's key is not used. */
    final Set<String> keys;

    LineWriter(ByteSink sink, InputFormat syntax, OutputFormat format, boolean statusIncluded, Set<String> keys) {
        this.keys = keys;
        this.sink = sink;
        this.syntax = syntax;
        this.escaping = format.escaping();
        this.naming = new LabelNaming(escaping);
        this.exemplarNaming = new LabelNaming(escaping);
        if (statusIncluded) {
            for (StatusFamily family : StatusFamily.ALL) {
                textNames.add(escaping.escape(family.name(), true));
            }
        }
    }

    @Override
    public void start(List<ExpositionMerger.Instance> instances) {
        for (ExpositionMerger.Instance instance : instances) {
            instance.targetBlock = targetBlock(instance.target);
        }
    }

    /** The target label names as each escaping writes them. */
    private static final byte[][][] TARGET_NAMES = new byte[EscapingScheme.values().length][][];

    static {
        for (EscapingScheme scheme : EscapingScheme.values()) {
            TARGET_NAMES[scheme.ordinal()] = TargetLabels.NAMES.stream()
                    .map(n -> scheme.escape(n, false).getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        }
    }

    /**
     * The target labels as written after the app's labels: {@code name="value",...}. One array
     * per instance and merge, filled in place when the values are plain ASCII (nearly always).
     */
    private byte[] targetBlock(TargetLabels target) {
        byte[][] names = TARGET_NAMES[escaping.ordinal()];
        int length = names.length - 1; // the commas
        for (int i = 0; i < names.length; i++) {
            String value = target.value(i);
            length += names[i].length + 3 + value.length();
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                if (ch >= 0x80 || ch == '\\' || ch == '"' || ch == '\n') {
                    return escapedTargetBlock(target, names);
                }
            }
        }
        byte[] b = new byte[length];
        int at = 0;
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                b[at++] = ',';
            }
            System.arraycopy(names[i], 0, b, at, names[i].length);
            at += names[i].length;
            b[at++] = '=';
            b[at++] = '"';
            String value = target.value(i);
            for (int c = 0; c < value.length(); c++) {
                b[at++] = (byte) value.charAt(c);
            }
            b[at++] = '"';
        }
        return b;
    }

    private static byte[] escapedTargetBlock(TargetLabels target, byte[][] names) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(256);
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                b.write(',');
            }
            b.writeBytes(names[i]);
            b.write('=');
            b.write('"');
            b.writeBytes(LabelNaming.escapeQuoted(target.value(i)).getBytes(StandardCharsets.UTF_8));
            b.write('"');
        }
        return b.toByteArray();
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

    static List<TextPart> textParts(MergedFamily f) {
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

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- samples ----

    /**
     * Writes (or, when {@code drop}, counts as conflicts) the samples of one segment that belong to
     * {@code part} (all of them when part is null), skipping duplicates.
     */
    final void samples(MergedFamily f, MergedFamily.Segment segment, TextPart part, boolean drop) throws IOException {
        ExpositionMerger.Instance instance = segment.instance();
        for (int r = segment.start(); r < segment.end(); r++) {
            RecordedSample s = current.at(instance, r);
            if (part != null && !inPart(s, segment, part, textParts(f))) {
                continue;
            }
            if (drop || (segment.foreign() && !fits(f, s)) || !strayNameFree(f, segment, s, part)
                    || !sample(f, segment, s)) {
                instance.samples--;
                instance.conflicts++;
            }
        }
    }

    /**
     * A sample written with a family's main samples though its name is none of theirs (one that
     * does not fit the family's type: {@code c} in an OpenMetrics counter {@code c}) is another
     * metric name in text: written only when no other family is called so (else the text would
     * have that name's samples before its TYPE line, which promtool refuses).
     */
    private boolean strayNameFree(MergedFamily f, MergedFamily.Segment segment, RecordedSample s, TextPart part) {
        if (part == null || !part.main() || hasSuffix(s, segment, part)) {
            return true;
        }
        String written = f.outName + new String(s.nameBytes(), s.nameFrom() + segment.nameLength(),
                s.nameTo() - s.nameFrom() - segment.nameLength(), StandardCharsets.UTF_8);
        if (written.equals(f.key) || (!keys.contains(written) && !textNames.contains(written))) {
            strays.add(written);
            return true;
        }
        return false;
    }

    /** Names written as strays (see strayNameFree): no part may take them later. */
    final Set<String> strays = new HashSet<>();

    /**
     * Whether the sample belongs to the part: its suffix is one of the part's, or, for the main
     * part, no other part's (a sample named like its family but not fitting its type, which
     * Prometheus keeps, is written with the family's main samples).
     */
    static boolean inPart(RecordedSample s, MergedFamily.Segment segment, TextPart part, List<TextPart> parts) {
        if (!part.main()) {
            return hasSuffix(s, segment, part);
        }
        for (TextPart other : parts) {
            if (other != part && hasSuffix(s, segment, other)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasSuffix(RecordedSample s, MergedFamily.Segment segment, TextPart part) {
        byte[] b = s.nameBytes();
        int start = s.nameFrom() + segment.nameLength();
        int end = s.nameTo();
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
    private boolean sample(MergedFamily f, MergedFamily.Segment segment, RecordedSample s) throws IOException {
        byte[] buf = s.buffer();
        // The spans of the record, or of the line lexed again when the record says so.
        ExpositionParser p = s.relexed() ? s.parser() : null;
        SampleRecords records = s.records();
        int r = s.record();
        boolean hasTimestamp = p != null ? p.hasTimestamp() : records.hasTimestamp(r);
        int timestampStart = p != null ? p.timestampStart() : records.timestampStart(r);
        int timestampEnd = p != null ? p.timestampEnd() : records.timestampEnd(r);
        String converted = null;
        if (hasTimestamp && s.format() != syntax) {
            converted = convertTimestamp(buf, timestampStart, timestampEnd);
            if (converted == null) {
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
        sink.write(s.nameBytes(), s.nameFrom() + segment.nameLength(), s.nameTo() - s.nameFrom() - segment.nameLength());
        sink.write(f.quoted ? (byte) '"' : (byte) '{');
        if (f.quoted) {
            sink.write((byte) ',');
        }
        if (p != null) {
            labels(p, p.labels(), naming, true);
        } else if (records.labelsEnd(r) > records.labelsStart(r)) {
            // Canonical and keeping their names (checked while indexing): the section as written.
            sink.write(buf, records.labelsStart(r), records.labelsEnd(r) - records.labelsStart(r));
            sink.write((byte) ',');
        }
        sink.write(segment.instance().targetBlock);
        sink.write((byte) '}');
        sink.write((byte) ' ');
        if (p != null) {
            value(buf, p.valueStart(), p.valueEnd());
        } else {
            value(buf, records.valueStart(r), records.valueEnd(r));
        }
        if (converted != null) {
            sink.write((byte) ' ');
            sink.ascii(converted);
        } else if (hasTimestamp) {
            sink.write((byte) ' ');
            sink.write(buf, timestampStart, timestampEnd - timestampStart);
        }
        if (p == null) {
            if (records.hasExemplar(r) && keepsExemplar(s)) {
                // Canonical labels and a plain value (checked while indexing): as written.
                sink.ascii(" # ");
                sink.write(buf, records.exemplarStart(r), records.exemplarEnd(r) - records.exemplarStart(r));
            }
        } else if (p.hasExemplar() && keepsExemplar(s)) {
            sink.ascii(" # {");
            labels(p, p.exemplarLabels(), exemplarNaming, false);
            sink.ascii("} ");
            value(buf, p.exemplarValueStart(), p.exemplarValueEnd());
            if (p.hasExemplarTimestamp()) {
                sink.write((byte) ' ');
                sink.write(buf, p.exemplarTimestampStart(), p.exemplarTimestampEnd() - p.exemplarTimestampStart());
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
    final boolean fits(MergedFamily f, RecordedSample s) {
        byte[] b = s.nameBytes();
        int start = s.nameFrom();
        int end = s.nameTo();
        int base = f.baseName.length;
        if (end - start < base || !FamilyIndexer.same(b, start, f.baseName, 0, base)) {
            return false;
        }
        return suffixFits(f, b, start + base, end);
    }

    /** Whether a sample of another type's instance, named the family's name then b[start, end), can be written. */
    abstract boolean suffixFits(MergedFamily f, byte[] b, int start, int end);

    /** The timestamp of a sample in the other text syntax, converted; null when this format cannot say it. */
    abstract String convertTimestamp(byte[] b, int start, int end);

    /** Whether the sample's exemplar is written. */
    abstract boolean keepsExemplar(RecordedSample s);

    /** Whether HELP text of this syntax escapes double quotes. */
    abstract boolean helpEscapesQuotes();

    static final byte[] TOTAL = bytes("_total");
    static final byte[] BUCKET = bytes("_bucket");

    /**
     * OpenMetrics seconds as text milliseconds (truncated, as Prometheus does); null when text
     * cannot say it: beyond 64 bits, or before 1970 (Prometheus' text parser has no sign).
     */
    static String secondsToMilliseconds(byte[] b, int start, int end) {
        java.math.BigInteger ms = new BigDecimal(new String(b, start, end - start, StandardCharsets.US_ASCII)).movePointRight(3)
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
        byte[] buf = p.buffer();
        boolean resolved = names.resolve(p, spans, series);
        if (!resolved && spans.canonical(buf)) {
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

    /** Text milliseconds as OpenMetrics seconds, exactly. */
    static String millisecondsToSeconds(byte[] b, int start, int end) {
        return new BigDecimal(new String(b, start, end - start, StandardCharsets.US_ASCII)).movePointLeft(3).toPlainString();
    }

    // ---- metadata ----

    /** Writes {@code prefix}, the family's name plus {@code suffix}, and a space. */
    final void metadataStart(String prefix, MergedFamily f, String suffix) throws IOException {
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
    final void help(MergedFamily f, String suffix) throws IOException {
        if (f.helpBuf == null) {
            return;
        }
        metadataStart("# HELP ", f, suffix);
        boolean sameSyntax = f.helpFromOpenMetrics == (syntax == InputFormat.OPENMETRICS_TEXT);
        if (sameSyntax && canonicalHelp(f.helpBuf, f.helpStart, f.helpEnd)) {
            sink.write(f.helpBuf, f.helpStart, f.helpEnd - f.helpStart);
        } else {
            sink.utf8(escapeHelp(f.help()));
        }
        sink.write((byte) '\n');
    }

    final void metadata(String prefix, byte[] name, String text) throws IOException {
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
                if (n != '\\' && n != 'n' && !(helpEscapesQuotes() && n == '"')) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    private String escapeHelp(String help) {
        String escaped = help.replace("\\", "\\\\").replace("\n", "\\n");
        return helpEscapesQuotes() ? escaped.replace("\"", "\\\"") : escaped;
    }


    // ---- scrape status (design §5) ----

    @Override
    public final void scrapeStatus(List<ExpositionMerger.Instance> instances) throws IOException {
        List<MergeReport.InstanceOutcome> outcomes = new java.util.ArrayList<>(instances.size());
        for (ExpositionMerger.Instance instance : instances) {
            outcomes.add(instance.outcome());
        }
        for (StatusFamily family : StatusFamily.ALL) {
            byte[] name = escaping.escape(family.name(), true).getBytes(StandardCharsets.UTF_8);
            statusMetadata(name, family);
            for (int i = 0; i < outcomes.size(); i++) {
                java.util.Optional<StatusFamily.StatusSample> sample = family.sample().apply(outcomes.get(i));
                if (sample.isEmpty()) {
                    continue;
                }
                sink.write(name);
                sink.write((byte) '{');
                if (sample.get().reason().isPresent()) {
                    sink.ascii(escaping.escape("reason", false));
                    sink.ascii("=\"");
                    sink.ascii(sample.get().reason().get());
                    sink.ascii("\",");
                }
                sink.write(instances.get(i).targetBlock);
                sink.ascii("} ");
                sink.ascii(StatusFamily.text(sample.get().value()));
                sink.write((byte) '\n');
            }
        }
    }

    /** The HELP, TYPE (and UNIT) lines of a status family, in this format's order. */
    abstract void statusMetadata(byte[] name, StatusFamily family) throws IOException;
}
