package io.promfetcher.exposition;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How names outside the legacy character set ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}) are written, as
 * asked by the {@code escaping=} parameter of the 1.0.0 formats (the same schemes and spellings as
 * Prometheus' common/model). Only {@link #ALLOW_UTF_8} keeps such names as they are (quoted);
 * every other scheme maps them onto legacy names, which is the caller's explicit choice.
 */
public enum EscapingScheme {
    /** Names stay as they are; names outside the legacy set are written quoted. */
    ALLOW_UTF_8("allow-utf-8"),
    /** Each character outside the legacy set becomes {@code _}. The default. */
    UNDERSCORES("underscores"),
    /** {@code _} becomes {@code __}, {@code .} becomes {@code _dot_}, others {@code __}; applied to every name. */
    DOTS("dots"),
    /** {@code U__} then each character outside the legacy set as {@code _<hex code point>_}, {@code _} as {@code __}. */
    VALUES("values");

    private final String parameter;

    EscapingScheme(String parameter) {
        this.parameter = parameter;
    }

    /** The value of the {@code escaping=} parameter. */
    public String parameter() {
        return parameter;
    }

    public static Optional<EscapingScheme> fromParameter(String value) {
        for (EscapingScheme scheme : values()) {
            if (scheme.parameter.equals(value)) {
                return Optional.of(scheme);
            }
        }
        return Optional.empty();
    }

    /** Whether a metric name can be written without quotes. */
    public static boolean isLegacyMetricName(String name) {
        return isLegacy(name, true);
    }

    /** Whether a label name can be written without quotes. */
    public static boolean isLegacyLabelName(String name) {
        return isLegacy(name, false);
    }

    private static boolean isLegacy(String name, boolean colonAllowed) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!legacyChar(name.charAt(i), i == 0, colonAllowed)) {
                return false;
            }
        }
        return true;
    }

    static boolean legacyChar(int c, boolean first, boolean colonAllowed) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                || (colonAllowed && c == ':') || (!first && c >= '0' && c <= '9');
    }

    /**
     * The name as written under this scheme. {@code metric} selects the metric-name character set
     * (which allows {@code :}) rather than the label-name one.
     */
    public String escape(String name, boolean metric) {
        switch (this) {
            case ALLOW_UTF_8:
                return name;
            case UNDERSCORES: {
                if (isLegacy(name, metric)) {
                    return name;
                }
                StringBuilder out = new StringBuilder(name.length());
                int i = 0;
                for (int cp : name.codePoints().toArray()) {
                    out.append(legacyChar(cp, i == 0, metric) ? (char) cp : '_');
                    i++;
                }
                return out.length() == 0 ? "_" : out.toString();
            }
            case DOTS: {
                StringBuilder out = new StringBuilder(name.length() + 8);
                int i = 0;
                for (int cp : name.codePoints().toArray()) {
                    if (cp == '_') {
                        out.append("__");
                    } else if (cp == '.') {
                        out.append("_dot_");
                    } else if (legacyChar(cp, i == 0, metric)) {
                        out.append((char) cp);
                    } else {
                        out.append("__");
                    }
                    i++;
                }
                return out.length() == 0 ? "_" : out.toString();
            }
            case VALUES: {
                if (isLegacy(name, metric)) {
                    return name;
                }
                StringBuilder out = new StringBuilder("U__");
                for (int cp : name.codePoints().toArray()) {
                    if (cp == '_') {
                        out.append("__");
                    } else if (legacyChar(cp, false, metric)) {
                        out.append((char) cp);
                    } else {
                        out.append('_').append(Integer.toHexString(cp)).append('_');
                    }
                }
                return out.toString();
            }
            default:
                throw new IllegalStateException();
        }
    }

    byte[] escapeToBytes(String name, boolean metric) {
        return escape(name, metric).getBytes(StandardCharsets.UTF_8);
    }
}
