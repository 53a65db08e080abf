package io.promfetcher.exposition;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_1.Metrics;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the merged exposition as delimited protobuf {@code io.prometheus.client.MetricFamily}
 * messages (client_java's generated classes).
 *
 * <p>Families from protobuf instances ({@link #protobufFamily}) keep their messages: native
 * histograms (schema, zero bucket, spans, deltas), classic buckets and exemplars pass unchanged,
 * each metric only gains the instance's target labels. Families from text instances are written
 * per sample name, as Prometheus stores them: a counter's or gauge's samples as a COUNTER or
 * GAUGE family, every other sample name (a histogram's {@code _bucket}, {@code _sum},
 * {@code _count}, a summary's quantiles, {@code _created}) as an UNTYPED family of that name:
 * the same series, without the grouping a text histogram would need (see docs/exposition.md).
 * Text exemplars are not carried.
 */
final class ProtobufWriter implements ExpositionWriter {
    private final ByteSink sink;
    private final EscapingScheme escaping;
    private final LabelNaming naming;
    private final Map<ExpositionMerger.Instance, List<Metrics.LabelPair>> targets = new IdentityHashMap<>();
    private final MergedFamily.Segment cursor = new MergedFamily.Segment();
    private final RecordedSample current = new RecordedSample();

    ProtobufWriter(ByteSink sink, OutputFormat format) {
        this.sink = sink;
        this.escaping = format.escaping();
        this.naming = new LabelNaming(escaping);
    }

    @Override
    public void start(List<ExpositionMerger.Instance> instances) {
        for (ExpositionMerger.Instance instance : instances) {
            List<Metrics.LabelPair> labels = new ArrayList<>();
            List<String> values = instance.target.values();
            for (int i = 0; i < values.size(); i++) {
                labels.add(label(escaping.escape(TargetLabels.NAMES.get(i), false), values.get(i)));
            }
            targets.put(instance, List.copyOf(labels));
        }
    }

    @Override
    public void family(MergedFamily f) throws IOException {
        Map<String, Metrics.MetricFamily.Builder> byName = new LinkedHashMap<>();
        for (int s = 0; s < f.segmentCount; s++) {
            MergedFamily.Segment segment = f.segment(s, cursor);
            ExpositionMerger.Instance instance = segment.instance();
            for (int r = segment.start(); r < segment.end(); r++) {
                // Each label becomes a LabelPair of its own, unescaped: protobuf needs the
                // per-label detail the records do not keep, so each sample's line is lexed again
                // (this path builds objects per sample anyway).
                ExpositionParser p = current.at(instance, r).parser();
                if (!sample(f, segment, p, byName)) {
                    instance.samples--;
                    instance.conflicts++;
                }
            }
        }
        for (Metrics.MetricFamily.Builder family : byName.values()) {
            family.build().writeDelimitedTo(sink.asStream());
        }
    }

    private boolean sample(MergedFamily f, MergedFamily.Segment segment, ExpositionParser p,
            Map<String, Metrics.MetricFamily.Builder> byName) {
        String full = p.metricName();
        String suffix = full.substring(Math.min(full.length(), textLength(full, segment.nameLength())));
        if (segment.foreign() && !full.startsWith(new String(f.baseName, java.nio.charset.StandardCharsets.UTF_8))) {
            return false;
        }
        Metrics.Metric.Builder metric = Metrics.Metric.newBuilder();
        if (p.hasTimestamp()) {
            // Prometheus reads timestamp_ms 0 as "no timestamp": such a sample cannot be said.
            Optional<Long> ms = milliseconds(p);
            if (ms.isEmpty() || ms.get() == 0) {
                return false;
            }
            metric.setTimestampMs(ms.get());
        }
        boolean renamed = naming.resolve(p, p.labels(), true);
        for (int i = 0; i < p.labels().count; i++) {
            String name = renamed ? naming.names[i] : p.labelName(p.labels(), i);
            metric.addLabel(label(name, ExpositionParser.unescape(p.buffer(), p.labels().valueStart[i], p.labels().valueEnd[i])));
        }
        metric.addAllLabel(targets.get(segment.instance()));
        double value = value(p);
        Metrics.MetricType type = typeOf(f, suffix);
        switch (type) {
            case COUNTER -> metric.setCounter(Metrics.Counter.newBuilder().setValue(value));
            case GAUGE -> metric.setGauge(Metrics.Gauge.newBuilder().setValue(value));
            default -> metric.setUntyped(Metrics.Untyped.newBuilder().setValue(value));
        }
        String name = f.outName + suffix;
        if (!f.quoted && !EscapingScheme.isLegacyMetricName(name)) {
            name = escaping.escape(name, true);
        }
        String familyName = name;
        byName.computeIfAbsent(name, n -> {
            Metrics.MetricFamily.Builder b = Metrics.MetricFamily.newBuilder().setName(familyName).setType(type);
            if (f.helpBuf != null && familyName.equals(f.key)) {
                b.setHelp(f.help());
            }
            return b;
        }).addMetric(metric);
        return true;
    }

    /** Chars of the full name that make up the family name (nameLength counts UTF-8 bytes). */
    private static int textLength(String full, int nameBytes) {
        int bytes = 0;
        int i = 0;
        while (i < full.length() && bytes < nameBytes) {
            int cp = full.codePointAt(i);
            bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        return i;
    }

    /** What Prometheus reads a text sample of this family and suffix as, when it comes in protobuf. */
    private static Metrics.MetricType typeOf(MergedFamily f, String suffix) {
        if (f.bareCounter) {
            return suffix.isEmpty() ? Metrics.MetricType.COUNTER : Metrics.MetricType.UNTYPED;
        }
        return switch (f.type) {
            case COUNTER -> suffix.equals("_total") ? Metrics.MetricType.COUNTER : Metrics.MetricType.UNTYPED;
            case GAUGE, STATESET -> suffix.isEmpty() ? Metrics.MetricType.GAUGE : Metrics.MetricType.UNTYPED;
            case INFO -> suffix.equals("_info") ? Metrics.MetricType.GAUGE : Metrics.MetricType.UNTYPED;
            default -> Metrics.MetricType.UNTYPED;
        };
    }

    private static double value(ExpositionParser p) {
        String token = p.utf8(p.valueStart(), p.valueEnd());
        char c = token.charAt(token.charAt(0) == '+' || token.charAt(0) == '-' ? 1 : 0);
        if ((c | 0x20) == 'i') {
            return token.charAt(0) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if ((c | 0x20) == 'n') {
            return Double.NaN;
        }
        return Double.parseDouble(token);
    }

    /** The sample's timestamp in milliseconds; empty when it does not fit 64 bits. */
    private static Optional<Long> milliseconds(ExpositionParser p) {
        String token = p.utf8(p.timestampStart(), p.timestampEnd());
        if (p.format() == InputFormat.PROMETHEUS_TEXT) {
            return Optional.of(Long.parseLong(token));
        }
        java.math.BigInteger ms = new BigDecimal(token).movePointRight(3).setScale(0, RoundingMode.DOWN).toBigInteger();
        return ms.bitLength() < 64 ? Optional.of(ms.longValue()) : Optional.empty();
    }

    /**
     * One family of the protobuf instances, its instances' messages in instance order: each metric
     * gains its instance's target labels (an app label of one of those names is kept as
     * {@code exported_<name>}). An instance whose family has another type than the first
     * instance's is dropped from it and counted as a conflict.
     */
    void protobufFamily(List<Map.Entry<ExpositionMerger.Instance, Metrics.MetricFamily>> group) throws IOException {
        Metrics.MetricFamily first = group.get(0).getValue();
        Metrics.MetricFamily.Builder out = Metrics.MetricFamily.newBuilder(first).clearMetric()
                .setName(escapedName(first.getName()));
        for (Map.Entry<ExpositionMerger.Instance, Metrics.MetricFamily> entry : group) {
            ExpositionMerger.Instance instance = entry.getKey();
            if (entry.getValue().getType() != first.getType()) {
                instance.samples -= entry.getValue().getMetricCount();
                instance.conflicts += entry.getValue().getMetricCount();
                continue;
            }
            for (Metrics.Metric metric : entry.getValue().getMetricList()) {
                out.addMetric(withTargets(metric, instance));
            }
        }
        out.build().writeDelimitedTo(sink.asStream());
    }

    private String escapedName(String name) {
        return EscapingScheme.isLegacyMetricName(name) ? name : escaping.escape(name, true);
    }

    private Metrics.Metric withTargets(Metrics.Metric metric, ExpositionMerger.Instance instance) {
        boolean plain = true;
        for (Metrics.LabelPair label : metric.getLabelList()) {
            plain &= !TargetLabels.NAMES.contains(label.getName()) && EscapingScheme.isLegacyLabelName(label.getName());
        }
        if (plain) {
            // Nearly always: the app's labels stay as they are, the target labels follow.
            return metric.toBuilder().addAllLabel(targets.get(instance)).build();
        }
        Set<String> taken = new HashSet<>(TargetLabels.NAMES);
        for (Metrics.LabelPair label : metric.getLabelList()) {
            taken.add(label.getName());
        }
        Metrics.Metric.Builder out = metric.toBuilder().clearLabel();
        for (Metrics.LabelPair label : metric.getLabelList()) {
            String name = label.getName();
            if (TargetLabels.NAMES.contains(name)) {
                String candidate = "exported_" + name;
                while (taken.contains(candidate)) {
                    candidate = "exported_" + candidate;
                }
                taken.add(candidate);
                name = candidate;
            }
            out.addLabel(label(EscapingScheme.isLegacyLabelName(name) ? name : escaping.escape(name, false), label.getValue()));
        }
        out.addAllLabel(targets.get(instance));
        return out.build();
    }

    private static Metrics.LabelPair label(String name, String value) {
        return Metrics.LabelPair.newBuilder().setName(name).setValue(value).build();
    }

    @Override
    public void scrapeStatus(List<ExpositionMerger.Instance> instances) throws IOException {
        for (StatusFamily family : StatusFamily.ALL) {
            Metrics.MetricFamily.Builder out = Metrics.MetricFamily.newBuilder()
                    .setName(escaping.escape(family.name(), true)).setHelp(family.help())
                    .setType(Metrics.MetricType.GAUGE);
            for (ExpositionMerger.Instance instance : instances) {
                Optional<StatusFamily.StatusSample> sample = family.sample().apply(instance.outcome());
                if (sample.isEmpty()) {
                    continue;
                }
                Metrics.Metric.Builder metric = Metrics.Metric.newBuilder();
                sample.get().reason().ifPresent(r -> metric.addLabel(label(escaping.escape("reason", false), r)));
                metric.addAllLabel(targets.get(instance))
                        .setGauge(Metrics.Gauge.newBuilder().setValue(sample.get().value()));
                out.addMetric(metric);
            }
            if (out.getMetricCount() > 0) {
                out.build().writeDelimitedTo(sink.asStream());
            }
        }
    }

    @Override
    public void finish() throws IOException {
        sink.flush();
    }
}
