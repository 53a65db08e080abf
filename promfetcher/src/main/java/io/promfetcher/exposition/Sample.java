package io.promfetcher.exposition;

import java.util.List;
import java.util.Optional;

/**
 * One sample as values, built only when asked ({@link ExpositionParser#sample()}): the hot path
 * works on offsets instead. {@code value} and {@code timestamp} are the tokens as written (a
 * timestamp is milliseconds in text 0.0.4, seconds in OpenMetrics).
 */
public record Sample(String name, List<Label> labels, String value, Optional<String> timestamp,
        Optional<Exemplar> exemplar) {

    public Sample {
        labels = List.copyOf(labels);
    }

    /** A label with its value unescaped. */
    public record Label(String name, String value) {}

    /** An OpenMetrics exemplar. */
    public record Exemplar(List<Label> labels, String value, Optional<String> timestamp) {
        public Exemplar {
            labels = List.copyOf(labels);
        }
    }
}
