package io.promfetcher.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations and sizes in the units operators write: {@code 10s}, {@code 1m30s}, {@code 500ms};
 * {@code 50MB}, {@code 512KiB}, {@code 1048576}. KB, MB and GB are powers of 1024, as in
 * Prometheus' own configuration and the JVM's {@code -Xmx}.
 */
public final class Units {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib)?");

    private Units() {}

    /** Parses a Go-style duration such as {@code 1h30m} or {@code 250ms}; a unit is required. */
    public static Duration parseDuration(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("is empty; expected a duration such as 10s");
        }
        if (s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("\"" + s + "\" has no unit; write e.g. " + s + "s or " + s + "ms");
        }
        Matcher m = DURATION_PART.matcher(s);
        long nanos = 0;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("\"" + s + "\" is not a duration; use units ms, s, m, h, d (e.g. 10s, 1m30s)");
            }
            BigDecimal amount = new BigDecimal(m.group(1));
            long unitNanos = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 86_400_000_000_000L;
            };
            try {
                nanos = Math.addExact(nanos, amount.multiply(BigDecimal.valueOf(unitNanos)).longValueExact());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("\"" + s + "\" is too long or too precise a duration");
            }
            at = m.end();
        }
        return Duration.ofNanos(nanos);
    }

    /** Parses a size in bytes such as {@code 50MB}, {@code 64KiB} or {@code 1024}. */
    public static long parseSize(String text) {
        String s = text.strip();
        Matcher m = SIZE.matcher(s.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + s + "\" is not a size; write e.g. 512KB, 50MB, 1GB or a number of bytes");
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kb", "kib" -> 1L << 10;
            case "mb", "mib" -> 1L << 20;
            case "gb", "gib" -> 1L << 30;
            default -> 1L;
        };
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + s + "\" is too large a size");
        }
    }

    /** Renders a duration the way {@link #parseDuration} reads it, e.g. {@code 1m30s}, {@code 250ms}. */
    public static String formatDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long nanos = d.toNanos();
        if (nanos % 1_000_000 != 0) {
            return nanos + "ns";
        }
        long ms = nanos / 1_000_000;
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        StringBuilder out = new StringBuilder();
        if (s >= 3600) {
            out.append(s / 3600).append('h');
            s %= 3600;
        }
        if (s >= 60) {
            out.append(s / 60).append('m');
            s %= 60;
        }
        if (s > 0) {
            out.append(s).append('s');
        }
        return out.toString();
    }

    /** Renders a size the way {@link #parseSize} reads it, e.g. {@code 16KB}, {@code 50MB}. */
    public static String formatSize(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GB";
        }
        if (bytes > 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MB";
        }
        if (bytes > 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KB";
        }
        return bytes + "B";
    }
}
