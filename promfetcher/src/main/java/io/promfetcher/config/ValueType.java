package io.promfetcher.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How one configuration value is read from text (a YAML scalar or an environment variable) and
 * checked. {@link #parse} throws {@link IllegalArgumentException} with the problem, phrased to
 * follow the key's name in the one-line error.
 */
public interface ValueType<T> {

    T parse(String raw);

    /** The value as a user would write it (defaults in docs and --help). */
    default String format(T value) {
        return String.valueOf(value);
    }

    /** Whether values of this type must never be echoed (passwords, tokens). */
    default boolean secret() {
        return false;
    }

    ValueType<Integer> PORT = raw -> {
        int port = integer(raw, "a port number");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(port + " is out of range; a port is 1 to 65535");
        }
        return port;
    };

    ValueType<String> STRING = raw -> raw;

    ValueType<String> SECRET = new ValueType<>() {
        @Override
        public String parse(String raw) {
            return raw;
        }

        @Override
        public String format(String value) {
            return value.isEmpty() ? "" : "(secret)";
        }

        @Override
        public boolean secret() {
            return true;
        }
    };

    ValueType<Boolean> BOOLEAN = raw -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw new IllegalArgumentException("\"" + raw + "\" is not true or false");
    };

    ValueType<Duration> DURATION = new ValueType<>() {
        @Override
        public Duration parse(String raw) {
            return Units.parseDuration(raw);
        }

        @Override
        public String format(Duration value) {
            return Units.formatDuration(value);
        }
    };

    ValueType<Long> SIZE = new ValueType<>() {
        @Override
        public Long parse(String raw) {
            return Units.parseSize(raw);
        }

        @Override
        public String format(Long value) {
            return Units.formatSize(value);
        }
    };

    /** A whole number within bounds. */
    static ValueType<Integer> integer(int min, int max) {
        return raw -> {
            int value = integer(raw, "a whole number");
            if (value < min || value > max) {
                throw new IllegalArgumentException(value + " is out of range " + min + " to " + max);
            }
            return value;
        };
    }

    /** A duration within bounds. */
    static ValueType<Duration> duration(Duration min, Duration max) {
        return new ValueType<>() {
            @Override
            public Duration parse(String raw) {
                Duration d = Units.parseDuration(raw);
                if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                    throw new IllegalArgumentException(Units.formatDuration(d) + " is out of range "
                            + Units.formatDuration(min) + " to " + Units.formatDuration(max));
                }
                return d;
            }

            @Override
            public String format(Duration value) {
                return Units.formatDuration(value);
            }
        };
    }

    /** A size within bounds. */
    static ValueType<Long> size(long min, long max) {
        return new ValueType<>() {
            @Override
            public Long parse(String raw) {
                long s = Units.parseSize(raw);
                if (s < min || s > max) {
                    throw new IllegalArgumentException(Units.formatSize(s) + " is out of range "
                            + Units.formatSize(min) + " to " + Units.formatSize(max));
                }
                return s;
            }

            @Override
            public String format(Long value) {
                return Units.formatSize(value);
            }
        };
    }

    /** One of a fixed set of words, case-insensitive; read as lower case. */
    static ValueType<String> oneOf(String... choices) {
        Set<String> allowed = Set.of(choices);
        return raw -> {
            String v = raw.strip().toLowerCase(Locale.ROOT);
            if (!allowed.contains(v)) {
                throw new IllegalArgumentException("\"" + raw + "\" is not one of " + String.join(", ", choices));
            }
            return v;
        };
    }

    /** A comma-separated list of URLs with one of the given schemes and an explicit host. */
    static ValueType<List<URI>> urls(String... schemes) {
        Set<String> allowed = Set.of(schemes);
        return new ValueType<>() {
            @Override
            public List<URI> parse(String raw) {
                List<URI> urls = new ArrayList<>();
                for (String part : raw.split(",")) {
                    String s = part.strip();
                    if (s.isEmpty()) {
                        continue;
                    }
                    URI uri;
                    try {
                        uri = new URI(s);
                    } catch (URISyntaxException e) {
                        throw new IllegalArgumentException("\"" + redactUserInfo(s) + "\" is not a URL");
                    }
                    if (uri.getScheme() == null || !allowed.contains(uri.getScheme().toLowerCase(Locale.ROOT))
                            || uri.getHost() == null) {
                        throw new IllegalArgumentException("\"" + redactUserInfo(s) + "\" is not a "
                                + String.join(":// or ", schemes) + ":// URL with a host");
                    }
                    urls.add(uri);
                }
                if (urls.isEmpty()) {
                    throw new IllegalArgumentException("is empty; at least one URL is needed");
                }
                return List.copyOf(urls);
            }

            @Override
            public String format(List<URI> value) {
                return String.join(",", value.stream().map(URI::toString).toList());
            }
        };
    }

    /** One URL with one of the given schemes and a host, kept as written; empty means not set. */
    static ValueType<String> optionalUrl(String... schemes) {
        ValueType<List<URI>> url = urls(schemes);
        return raw -> {
            String s = raw.strip();
            if (s.isEmpty()) {
                return s;
            }
            if (s.contains(",")) {
                throw new IllegalArgumentException("\"" + redactUserInfo(s) + "\" is more than one URL");
            }
            url.parse(s);
            return s;
        };
    }

    /**
     * A PEM file (certificate or key) that exists and is readable; empty means not set. Checked
     * at start so a typo in a path fails fast instead of at the first TLS handshake.
     */
    ValueType<String> PEM_FILE = raw -> {
        String s = raw.strip();
        if (s.isEmpty()) {
            return s;
        }
        Path path = Path.of(s);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException("cannot read file " + s);
        }
        try {
            String text = Files.readString(path, StandardCharsets.ISO_8859_1);
            if (!text.contains("-----BEGIN ")) {
                throw new IllegalArgumentException(s + " is not a PEM file (no -----BEGIN line)");
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read file " + s + ": " + e.getMessage());
        }
        return s;
    };

    private static int integer(String raw, String what) {
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + raw + "\" is not " + what);
        }
    }

    private static String redactUserInfo(String url) {
        return url.replaceAll("//[^/@]*@", "//***@");
    }
}
