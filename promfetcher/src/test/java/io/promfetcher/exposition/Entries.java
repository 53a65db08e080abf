package io.promfetcher.exposition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Test helper: what a parser reads from an input, one line of text per entry, for table-driven tests. */
final class Entries {
    private Entries() {}

    /** The entries of {@code input}, joined by " | ". Newlines inside values show as ⏎. */
    static String of(InputFormat format, String input) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        ExpositionParser p = ExpositionParser.create(format, bytes, 0, bytes.length);
        List<String> out = new ArrayList<>();
        while (true) {
            ExpositionParser.Entry e = p.next();
            switch (e) {
                case END:
                    return String.join(" | ", out).replace("\n", "⏎");
                case COMMENT:
                    out.add("COMMENT");
                    break;
                case HELP:
                    out.add("HELP " + p.metricName() + " " + p.help());
                    break;
                case TYPE:
                    out.add("TYPE " + p.metricName() + " " + p.type().openMetricsName());
                    break;
                case UNIT:
                    out.add("UNIT " + p.metricName() + " " + p.unit());
                    break;
                case SAMPLE:
                    out.add("SAMPLE " + describe(p.sample()));
                    break;
                default:
                    throw new IllegalStateException();
            }
        }
    }

    static String describe(Sample s) {
        StringBuilder b = new StringBuilder(s.name());
        if (!s.labels().isEmpty()) {
            b.append(s.labels().stream().map(l -> l.name() + "=" + l.value()).collect(Collectors.joining(",", "{", "}")));
        }
        b.append(' ').append(s.value());
        s.timestamp().ifPresent(t -> b.append(" @").append(t));
        s.exemplar().ifPresent(x -> {
            b.append(" #").append(x.labels().stream().map(l -> l.name() + "=" + l.value())
                    .collect(Collectors.joining(",", "{", "}")));
            b.append(' ').append(x.value());
            x.timestamp().ifPresent(t -> b.append(" @").append(t));
        });
        return b.toString();
    }

    /** "line:column reason" of the error parsing {@code input}, or "no error". */
    static String errorOf(InputFormat format, String input) {
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        ExpositionParser p = ExpositionParser.create(format, bytes, 0, bytes.length);
        try {
            while (p.next() != ExpositionParser.Entry.END) {
                // Reading to the end is the point.
            }
            return "no error";
        } catch (ExpositionParseException e) {
            return e.line() + ":" + e.column() + " " + e.reason();
        }
    }
}
