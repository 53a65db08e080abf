package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Test helper: builds instances, merges them, and checks every output the way the product
 * promises: it parses with the strict parser and has no duplicate series. Text outputs with
 * legacy names are also queued in {@code target/promtool-queue} for {@link PromtoolCheckIT}, which
 * runs the real promtool on every one of them.
 */
final class Merging {
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OM = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final Path PROMTOOL_QUEUE = Path.of("target", "promtool-queue");

    private Merging() {}

    static TargetLabels target(int index) {
        return new TargetLabels("org-guid", "my-org", "space-guid", "dev", "app-guid", "my-app",
                Integer.toString(index), Integer.toString(index), "10.0.0." + index + ":8080");
    }

    static InstanceScrape text(int index, String body) {
        return body(index, body, TEXT);
    }

    static InstanceScrape om(int index, String body) {
        return body(index, body, OM);
    }

    static InstanceScrape body(int index, String body, String contentType) {
        return new InstanceScrape.Body(target(index), body.getBytes(StandardCharsets.UTF_8), contentType,
                Duration.ofMillis(10 + index));
    }

    /** The result of one merge. */
    record Result(String output, MergeReport report) {
        MergeReport.InstanceOutcome outcome(int index) {
            return report.instances().stream().filter(o -> o.target().index().equals(Integer.toString(index)))
                    .findFirst().orElseThrow();
        }
    }

    static Result merge(OutputFormat format, ScrapeStatus status, InstanceScrape... scrapes) {
        return merge(format, status, List.of(scrapes));
    }

    static Result merge(OutputFormat format, ScrapeStatus status, List<InstanceScrape> scrapes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MergeReport report;
        try {
            report = ExpositionMerger.merge(scrapes, format, status, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        checkOutput(format, bytes);
        return new Result(new String(bytes, StandardCharsets.UTF_8), report);
    }

    /** The output parses strictly, and holds no series twice; text ones are queued for promtool. */
    static void checkOutput(OutputFormat format, byte[] bytes) {
        checkParses(format, bytes);
        if (format.format() == ExpositionFormat.PROMETHEUS_TEXT && format.escaping() != EscapingScheme.ALLOW_UTF_8) {
            queueForPromtool(bytes);
        }
    }

    /** The output parses strictly, and holds no series twice. */
    static void checkParses(OutputFormat format, byte[] bytes) {
        if (format.format() == ExpositionFormat.PROTOBUF) {
            ProtobufBody.parse(bytes, 0, bytes.length); // a valid stream of MetricFamily messages
            return;
        }
        InputFormat readAs = format.isOpenMetrics() ? InputFormat.OPENMETRICS_TEXT : InputFormat.PROMETHEUS_TEXT;
        ExpositionParser p = ExpositionParser.create(readAs, bytes, 0, bytes.length);
        FamilyIndexer.IndexedBody indexed = new FamilyIndexer(EscapingScheme.ALLOW_UTF_8).index(p);
        assertThat(indexed.duplicates).as("duplicate series in the output").isZero();
    }

    private static void queueForPromtool(byte[] bytes) {
        try {
            Files.createDirectories(PROMTOOL_QUEUE);
            String name = String.format("%08x-%d.prom", java.util.Arrays.hashCode(bytes), bytes.length);
            Files.write(PROMTOOL_QUEUE.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The samples of an exposition, one line each: name, labels sorted, value (Inf/NaN spelt
     * canonically), timestamp in milliseconds, exemplar. Comparable across formats.
     */
    static List<String> samples(InputFormat format, byte[] bytes) {
        ExpositionParser p = ExpositionParser.create(format, bytes, 0, bytes.length);
        List<String> out = new ArrayList<>();
        for (ExpositionParser.Entry e = p.next(); e != ExpositionParser.Entry.END; e = p.next()) {
            if (e == ExpositionParser.Entry.SAMPLE) {
                out.add(canonical(p.sample(), format, Map.of()));
            }
        }
        return out;
    }

    /**
     * The samples of a merged output per instance label, with the target labels removed (and
     * checked) and {@code exported_} names restored, in the form of {@link #samples}.
     */
    static Map<String, List<String>> samplesByInstance(InputFormat format, String output, boolean keepExemplars) {
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        ExpositionParser p = ExpositionParser.create(format, bytes, 0, bytes.length);
        Map<String, List<String>> out = new TreeMap<>();
        for (ExpositionParser.Entry e = p.next(); e != ExpositionParser.Entry.END; e = p.next()) {
            if (e != ExpositionParser.Entry.SAMPLE) {
                continue;
            }
            Sample s = p.sample();
            if (s.name().startsWith("promfetcher_scrape_")) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            s.labels().forEach(l -> labels.put(l.name(), l.value()));
            String instance = labels.get("instance");
            assertThat(instance).as("instance label of " + s).isNotNull();
            TargetLabels target = null;
            for (int i = 0; i < 100 && target == null; i++) {
                if (target(i).instance().equals(instance)) {
                    target = target(i);
                }
            }
            assertThat(target).isNotNull();
            for (int i = 0; i < TargetLabels.NAMES.size(); i++) {
                assertThat(labels.remove(TargetLabels.NAMES.get(i))).isEqualTo(target.values().get(i));
            }
            Map<String, String> restored = new TreeMap<>();
            labels.forEach((name, value) -> {
                String original = name;
                while (original.startsWith("exported_") && !labels.containsKey(original.substring(9))
                        && !restored.containsKey(original.substring(9))) {
                    original = original.substring(9);
                }
                restored.put(original, value);
            });
            List<Sample.Label> list = restored.entrySet().stream().map(x -> new Sample.Label(x.getKey(), x.getValue()))
                    .collect(Collectors.toList());
            Sample stripped = new Sample(s.name(), list, s.value(), s.timestamp(),
                    keepExemplars ? s.exemplar() : java.util.Optional.empty());
            out.computeIfAbsent(instance, k -> new ArrayList<>()).add(canonical(stripped, format, Map.of()));
        }
        return out;
    }

    static String canonical(Sample s, InputFormat format, Map<String, String> unused) {
        StringBuilder b = new StringBuilder(s.name());
        b.append(s.labels().stream().sorted(java.util.Comparator.comparing(Sample.Label::name))
                .map(l -> l.name() + "=" + l.value()).collect(Collectors.joining(",", "{", "}")));
        b.append(' ').append(value(s.value()));
        s.timestamp().ifPresent(t -> b.append(" @").append(format == InputFormat.OPENMETRICS_TEXT
                ? new java.math.BigDecimal(t).movePointRight(3).setScale(0, java.math.RoundingMode.DOWN).toPlainString()
                : Long.toString(Long.parseLong(t))));
        s.exemplar().ifPresent(x -> b.append(" # ").append(x.labels()).append(' ').append(value(x.value()))
                .append(x.timestamp().map(t -> " " + t).orElse("")));
        return b.toString();
    }

    private static String value(String v) {
        double d = Double.parseDouble(v.replace("inity", "").replaceAll("(?i)inf", "Infinity").replaceAll("(?i)nan", "NaN"));
        return Double.toString(d);
    }

    /** The HELP, TYPE and UNIT lines of an exposition, as "KIND name text", in order. */
    static List<String> metadata(InputFormat format, String exposition) {
        byte[] bytes = exposition.getBytes(StandardCharsets.UTF_8);
        ExpositionParser p = ExpositionParser.create(format, bytes, 0, bytes.length);
        List<String> out = new ArrayList<>();
        for (ExpositionParser.Entry e = p.next(); e != ExpositionParser.Entry.END; e = p.next()) {
            switch (e) {
                case HELP -> out.add("HELP " + p.metricName() + " " + p.help());
                case TYPE -> out.add("TYPE " + p.metricName() + " " + p.type().openMetricsName());
                case UNIT -> out.add("UNIT " + p.metricName() + " " + p.unit());
                default -> { }
            }
        }
        return out;
    }
}
