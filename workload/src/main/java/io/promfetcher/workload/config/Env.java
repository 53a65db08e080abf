package io.promfetcher.workload.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validated reading of environment variables: every service is configured only through
 * them (as on Cloud Foundry), and a bad value becomes one {@link ConfigException} naming the
 * variable, the value and what was expected.
 */
public final class Env {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private final Map<String, String> values;

    private Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Env of(Map<String, String> values) {
        return new Env(values);
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    /** A copy with some variables replaced, e.g. a per-instance index in tests. */
    public Env with(String name, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(name, value);
        return new Env(copy);
    }

    /** The raw value, absent when unset or blank. */
    public Optional<String> optional(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String name, String fallback) {
        return optional(name).orElse(fallback);
    }

    public int integer(String name, int fallback, int min, int max) {
        return (int) longValue(name, fallback, min, max);
    }

    public long longValue(String name, long fallback, long min, long max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.get());
            if (value < min || value > max) {
                throw invalid(name, raw.get(), "an integer from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(name, raw.get(), "an integer from " + min + " to " + max);
        }
    }

    public double decimal(String name, double fallback, double min, double max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(raw.get());
            if (!(value >= min && value <= max)) {
                throw invalid(name, raw.get(), "a number from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(name, raw.get(), "a number from " + min + " to " + max);
        }
    }

    /**
     * A duration written {@code 500ms}, {@code 3s}, {@code 5m}, {@code 1h}, or a bare number of
     * seconds (what the original scripts used).
     */
    public Duration duration(String name, Duration fallback, Duration min, Duration max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        String expected = "a duration from " + min + " to " + max + " such as 500ms, 3s, 5m, 1h";
        Matcher m = DURATION.matcher(raw.get().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw invalid(name, raw.get(), expected);
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw invalid(name, raw.get(), expected);
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration value;
        try {
            value = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (ArithmeticException e) {
            throw invalid(name, raw.get(), expected);
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw invalid(name, raw.get(), expected);
        }
        return value;
    }

    /** One of a fixed set of words, case-insensitive. */
    public <E extends Enum<E>> E choice(String name, E fallback, Class<E> type) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        StringBuilder allowed = new StringBuilder();
        for (E option : type.getEnumConstants()) {
            String word = option.name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (word.equals(raw.get().toLowerCase(Locale.ROOT))) {
                return option;
            }
            allowed.append(allowed.length() == 0 ? "" : ", ").append(word);
        }
        throw invalid(name, raw.get(), "one of " + allowed);
    }

    public static ConfigException invalid(String name, String value, String expected) {
        return new ConfigException(name + "=" + value + " is invalid: expected " + expected);
    }
}
