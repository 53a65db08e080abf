package io.promfetcher.exposition;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_1.Metrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An instance body in the protobuf format (delimited {@code io.prometheus.client.MetricFamily}
 * messages, read with the classes generated in client_java's exposition-formats): parsed, and,
 * for callers that asked for a text format, rendered as the OpenMetrics text of the samples
 * Prometheus stores from it with native histograms off (classic buckets, {@code _sum},
 * {@code _count}; a native histogram's buckets have no text form and are left out).
 */
final class ProtobufBody {
    private ProtobufBody() {}

    /**
     * The families of the body; {@link ExpositionParseException} (line = 1-based message number,
     * column = byte offset + 1) when it is not a stream of valid MetricFamily messages or holds
     * what Prometheus refuses (an empty name, an empty, reserved or repeated label name).
     */
    static List<Metrics.MetricFamily> parse(byte[] bytes, int offset, int length) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes, offset, length);
        List<Metrics.MetricFamily> families = new ArrayList<>();
        while (true) {
            int at = length - in.available();
            Metrics.MetricFamily family;
            try {
                family = Metrics.MetricFamily.parseDelimitedFrom(in);
            } catch (IOException e) {
                throw new ExpositionParseException(families.size() + 1, at + 1, "invalid protobuf: " + e.getMessage());
            }
            if (family == null) {
                return families;
            }
            check(family, families.size() + 1, at + 1);
            families.add(family);
        }
    }

    private static void check(Metrics.MetricFamily family, int message, int column) {
        if (family.getName().isEmpty()) {
            throw new ExpositionParseException(message, column, "empty metric name");
        }
        for (Metrics.Metric metric : family.getMetricList()) {
            Set<String> names = new HashSet<>();
            for (Metrics.LabelPair label : metric.getLabelList()) {
                if (label.getName().isEmpty() || label.getName().equals("__name__")) {
                    throw new ExpositionParseException(message, column, "invalid label name '" + label.getName()
                            + "' in " + family.getName());
                }
                if (!names.add(label.getName())) {
                    throw new ExpositionParseException(message, column, "duplicate label name " + label.getName()
                            + " in " + family.getName());
                }
            }
        }
    }

    /** The families as OpenMetrics text (ending with {@code # EOF}), for the text pipeline. */
    static byte[] toOpenMetrics(List<Metrics.MetricFamily> families) {
        StringBuilder b = new StringBuilder(families.size() * 256);
        for (Metrics.MetricFamily family : families) {
            String name = family.getName();
            switch (family.getType()) {
                case COUNTER -> {
                    boolean total = name.endsWith("_total") && name.length() > 6;
                    metadata(b, total ? name.substring(0, name.length() - 6) : name, total ? "counter" : "unknown", family);
                    for (Metrics.Metric m : family.getMetricList()) {
                        sample(b, name, m, null, null, m.getCounter().getValue());
                        exemplar(b, m.getCounter().hasExemplar() ? m.getCounter().getExemplar() : null);
                        b.append('\n');
                    }
                }
                case GAUGE -> lines(b, name, "gauge", family, m -> m.getGauge().getValue());
                case UNTYPED -> lines(b, name, "unknown", family, m -> m.getUntyped().getValue());
                case SUMMARY -> {
                    metadata(b, name, "summary", family);
                    for (Metrics.Metric m : family.getMetricList()) {
                        Metrics.Summary s = m.getSummary();
                        for (Metrics.Quantile q : s.getQuantileList()) {
                            sample(b, name, m, "quantile", goFloat(q.getQuantile()), q.getValue());
                            b.append('\n');
                        }
                        sample(b, name + "_sum", m, null, null, s.getSampleSum());
                        b.append('\n');
                        sample(b, name + "_count", m, null, null, s.getSampleCount());
                        b.append('\n');
                    }
                }
                case HISTOGRAM, GAUGE_HISTOGRAM -> {
                    metadata(b, name, "histogram", family);
                    for (Metrics.Metric m : family.getMetricList()) {
                        Metrics.Histogram h = m.getHistogram();
                        double count = h.getSampleCountFloat() > 0 ? h.getSampleCountFloat() : h.getSampleCount();
                        boolean infinite = false;
                        for (Metrics.Bucket bucket : h.getBucketList()) {
                            infinite |= bucket.getUpperBound() == Double.POSITIVE_INFINITY;
                            double c = bucket.getCumulativeCountFloat() > 0 ? bucket.getCumulativeCountFloat()
                                    : bucket.getCumulativeCount();
                            sample(b, name + "_bucket", m, "le", goFloat(bucket.getUpperBound()), c);
                            exemplar(b, bucket.hasExemplar() ? bucket.getExemplar() : null);
                            b.append('\n');
                        }
                        if (!infinite) {
                            // As Prometheus does: the +Inf bucket is the count when not sent.
                            sample(b, name + "_bucket", m, "le", "+Inf", count);
                            b.append('\n');
                        }
                        sample(b, name + "_count", m, null, null, count);
                        b.append('\n');
                        sample(b, name + "_sum", m, null, null, h.getSampleSum());
                        b.append('\n');
                    }
                }
                default -> { }
            }
        }
        b.append("# EOF\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private interface Value {
        double of(Metrics.Metric metric);
    }

    private static void lines(StringBuilder b, String name, String type, Metrics.MetricFamily family, Value value) {
        metadata(b, name, type, family);
        for (Metrics.Metric m : family.getMetricList()) {
            sample(b, name, m, null, null, value.of(m));
            b.append('\n');
        }
    }

    private static void metadata(StringBuilder b, String name, String type, Metrics.MetricFamily family) {
        b.append("# TYPE ").append(name(name)).append(' ').append(type).append('\n');
        if (!family.getHelp().isEmpty()) {
            b.append("# HELP ").append(name(name)).append(' ')
                    .append(family.getHelp().replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\""))
                    .append('\n');
        }
    }

    private static String name(String name) {
        return EscapingScheme.isLegacyMetricName(name) ? name : "\"" + LabelNaming.escapeQuoted(name) + "\"";
    }

    /** {@code name{labels} value [timestamp]}, without the newline (an exemplar may follow). */
    private static void sample(StringBuilder b, String name, Metrics.Metric m, String extraName, String extraValue,
            double value) {
        boolean legacy = EscapingScheme.isLegacyMetricName(name);
        b.append(legacy ? name : "{" + name(name));
        boolean first = legacy;
        if (legacy && (m.getLabelCount() > 0 || extraName != null)) {
            b.append('{');
        }
        for (Metrics.LabelPair label : m.getLabelList()) {
            b.append(first ? "" : ",");
            first = false;
            label(b, label.getName(), label.getValue());
        }
        if (extraName != null) {
            b.append(first ? "" : ",");
            first = false;
            label(b, extraName, extraValue);
        }
        if (!legacy || m.getLabelCount() > 0 || extraName != null) {
            b.append('}');
        }
        b.append(' ').append(goFloat(value));
        if (m.hasTimestampMs()) {
            b.append(' ').append(BigDecimal.valueOf(m.getTimestampMs(), 3).toPlainString());
        }
    }

    private static void label(StringBuilder b, String name, String value) {
        b.append(EscapingScheme.isLegacyLabelName(name) ? name : "\"" + LabelNaming.escapeQuoted(name) + "\"")
                .append("=\"").append(LabelNaming.escapeQuoted(value)).append('"');
    }

    private static void exemplar(StringBuilder b, Metrics.Exemplar exemplar) {
        if (exemplar == null) {
            return;
        }
        b.append(" # {");
        boolean first = true;
        for (Metrics.LabelPair label : exemplar.getLabelList()) {
            b.append(first ? "" : ",");
            first = false;
            label(b, label.getName(), label.getValue());
        }
        b.append("} ").append(goFloat(exemplar.getValue()));
        if (exemplar.hasTimestamp()) {
            b.append(' ').append(BigDecimal.valueOf(exemplar.getTimestamp().getSeconds())
                    .add(BigDecimal.valueOf(exemplar.getTimestamp().getNanos(), 9)).stripTrailingZeros().toPlainString());
        }
    }

    /**
     * A float as Prometheus formats bucket bounds and quantiles it reads from protobuf (Go's
     * {@code strconv.FormatFloat(f, 'g', -1, 64)}, with {@code .0} added to integers), so that
     * {@code le} and {@code quantile} label values are those of a direct scrape.
     */
    static String goFloat(double f) {
        if (Double.isNaN(f)) {
            return "NaN";
        }
        if (Double.isInfinite(f)) {
            return f > 0 ? "+Inf" : "-Inf";
        }
        if (f == 0) {
            return (1 / f < 0) ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(f))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int exponent = digits.length() - d.scale() - 1;
        String s;
        if (exponent < -4 || exponent >= 21) {
            s = digits.charAt(0) + (digits.length() > 1 ? "." + digits.substring(1) : "") + "e"
                    + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        } else {
            s = d.toPlainString();
        }
        if (s.indexOf('.') < 0 && s.indexOf('e') < 0) {
            s += ".0";
        }
        return (f < 0 ? "-" : "") + s;
    }
}
