package io.promfetcher.exposition;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_1.Metrics;
import io.prometheus.metrics.shaded.com_google_protobuf_4_36_1.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The cases of the fidelity tables ({@code src/test/resources/io/promfetcher/exposition/fidelity/*.cases}),
 * the corpus and the fuzzer's seeds, as instance bodies: what the differential harness serves to
 * a real Prometheus directly and through the gateway, and what the unit tests merge.
 *
 * <p>Table format: {@code == name} starts a case; header lines {@code key: value} may follow
 * ({@code lenient: reason} marks a documented case where the gateway keeps what Prometheus 2.42
 * refuses; {@code lenient-without-native-histograms: reason} one where only a Prometheus without
 * native histograms stores less or other values than the gateway passes it); each {@code -- FORMAT [escaped]} line starts the body of the next instance, FORMAT
 * being {@code text}, {@code openmetrics}, {@code protobuf} (MetricFamily messages in protobuf
 * text form, one per paragraph, sent delimited), {@code protobuf-bytes} (the body's bytes as they
 * are, with the protobuf Content-Type) or {@code none} (no Content-Type). A plain body
 * is the lines up to the next {@code --}/{@code ==} line, each ending with a newline (blank lines
 * at its end are left out); an escaped
 * body is those lines joined without newlines, with {@code \n}, {@code \t}, {@code \r},
 * {@code \xNN}, {@code \\} resolved (for inputs quoted from Go tests, and bodies that do not end
 * with a newline). Lines starting with {@code #!} before the first case are comments.
 */
public final class FidelityCases {
    public static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    public static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    public static final String PROTOBUF =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private FidelityCases() {}

    /** One instance's answer: its Content-Type ("" for none) and body. */
    public record Body(String contentType, byte[] bytes) {}

    /** One case: a name unique over all tables, where it comes from, and one body per instance. */
    public record Case(String name, String source, List<Body> instances, Optional<String> lenient,
            Optional<String> lenientWithoutNativeHistograms) {
        public Case(String name, String source, List<Body> instances, Optional<String> lenient) {
            this(name, source, instances, lenient, Optional.empty());
        }
    }

    /** Every case: the tables, then the corpus files, then the fuzzer's seeds. */
    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (Path table : resources("/io/promfetcher/exposition/fidelity", ".cases")) {
            cases.addAll(parse(table.getFileName().toString().replace(".cases", ""), read(table)));
        }
        for (String file : CorpusMergeTest.FILES) {
            String type = CorpusMergeTest.formatOf(file) == InputFormat.OPENMETRICS_TEXT ? OPENMETRICS : TEXT;
            cases.add(new Case("corpus/" + file, "shared/corpus/" + file,
                    List.of(new Body(type, CorpusMergeTest.corpus(file))), Optional.empty()));
        }
        for (Path seed : resources("/io/promfetcher/exposition/ExpositionFuzzTestInputs/"
                + "mergeNeverThrowsAndAlwaysWritesOutputThatParses", "")) {
            byte[] data = read(seed);
            if (data.length == 0) {
                continue;
            }
            String type = (data[0] & 1) == 0 ? TEXT : OPENMETRICS;
            byte[] body = java.util.Arrays.copyOfRange(data, 1, data.length);
            // The seeds named utf8-* hold quoted names, which Prometheus 3 reads and 2.42 refuses.
            Optional<String> lenient = seed.getFileName().toString().startsWith("utf8")
                    ? Optional.of("quoted UTF-8 names are Prometheus 3 syntax") : Optional.empty();
            cases.add(new Case("fuzz-seed/" + seed.getFileName(), "ExpositionFuzzTest seed " + seed.getFileName(),
                    List.of(new Body(type, body)), lenient));
        }
        return cases;
    }

    static List<Case> parse(String table, byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();
        String name = null;
        Optional<String> lenient = Optional.empty();
        Optional<String> lenientClassic = Optional.empty();
        List<Body> bodies = new ArrayList<>();
        String format = null;
        boolean escaped = false;
        StringBuilder body = null;
        String[] lines = text.split("\n", -1);
        int count = text.endsWith("\n") ? lines.length - 1 : lines.length;
        for (int i = 0; i <= count; i++) {
            String line = i < count ? lines[i] : "== end";
            boolean caseStart = line.startsWith("== ");
            boolean bodyStart = line.startsWith("-- ");
            if ((caseStart || bodyStart) && body != null) {
                bodies.add(body(format, escaped, body.toString(), table + "/" + name));
                body = null;
            }
            if (caseStart) {
                if (name != null) {
                    cases.add(new Case(table + "/" + name, table, List.copyOf(bodies), lenient, lenientClassic));
                }
                name = line.substring(3).trim();
                lenient = Optional.empty();
                lenientClassic = Optional.empty();
                bodies.clear();
            } else if (bodyStart) {
                String[] words = line.substring(3).trim().split(" ");
                format = words[0];
                escaped = words.length > 1 && words[1].equals("escaped");
                body = new StringBuilder();
            } else if (body != null) {
                body.append(line).append(escaped ? "" : "\n");
            } else if (name != null && line.startsWith("lenient-without-native-histograms:")) {
                lenientClassic = Optional.of(line.substring(line.indexOf(':') + 1).trim());
            } else if (name != null && line.startsWith("lenient:")) {
                lenient = Optional.of(line.substring("lenient:".length()).trim());
            } else if (name != null && !line.isBlank()) {
                throw new IllegalArgumentException(table + "/" + name + ": unexpected header line " + line);
            }
        }
        return cases;
    }

    private static Body body(String format, boolean escaped, String text, String where) {
        if (!escaped) {
            // Blank lines between cases are not part of a body (an escaped body can end with some).
            text = text.replaceAll("\n+$", "\n");
            text = text.equals("\n") ? "" : text;
        }
        byte[] bytes = escaped ? unescape(text) : text.getBytes(StandardCharsets.UTF_8);
        return switch (format) {
            case "text" -> new Body(TEXT, bytes);
            case "openmetrics" -> new Body(OPENMETRICS, bytes);
            case "none" -> new Body("", bytes);
            case "protobuf" -> new Body(PROTOBUF, delimited(new String(bytes, StandardCharsets.UTF_8), where));
            case "protobuf-bytes" -> new Body(PROTOBUF, bytes);
            default -> throw new IllegalArgumentException(where + ": unknown format " + format);
        };
    }

    /** MetricFamily messages in protobuf text form, one per paragraph, as the delimited wire format. */
    static byte[] delimited(String prototext, String where) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String message : prototext.split("\n\\s*\n")) {
            if (message.isBlank()) {
                continue;
            }
            Metrics.MetricFamily.Builder family = Metrics.MetricFamily.newBuilder();
            try {
                TextFormat.merge(message, family);
                family.build().writeDelimitedTo(out);
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return out.toByteArray();
    }

    /** {@code \n}, {@code \t}, {@code \r}, {@code \xNN} (a byte), {@code \\} and {@code \"}. */
    static byte[] unescape(String cell) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] raw = cell.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            byte c = raw[i];
            if (c != '\\' || i + 1 == raw.length) {
                b.write(c);
                continue;
            }
            byte n = raw[++i];
            switch (n) {
                case 'n' -> b.write('\n');
                case 't' -> b.write('\t');
                case 'r' -> b.write('\r');
                case 'x' -> {
                    b.write(Integer.parseInt(new String(raw, i + 1, 2, StandardCharsets.US_ASCII), 16));
                    i += 2;
                }
                default -> b.write(n);
            }
        }
        return b.toByteArray();
    }

    private static List<Path> resources(String dir, String suffix) {
        URL url = FidelityCases.class.getResource(dir);
        if (url == null) {
            throw new IllegalStateException("no test resources at " + dir);
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
