package io.promfetcher.exposition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One media range of an HTTP {@code Accept} header (RFC 9110 §12.5.1): type, subtype, parameters
 * (names lower-cased, values unquoted) and its weight {@code q} (0 to 1, 1 when absent).
 */
public record MediaRange(String type, String subtype, Map<String, String> parameters, double q) {

    public MediaRange {
        parameters = Map.copyOf(parameters);
    }

    public String parameter(String name) {
        return parameters.get(name);
    }

    /**
     * Parses a whole Accept header. Malformed ranges are skipped rather than failing the request:
     * a client that sends one odd entry still gets a useful answer from the others.
     */
    public static List<MediaRange> parseAccept(String header) {
        List<MediaRange> ranges = new ArrayList<>();
        if (header == null) {
            return ranges;
        }
        for (String element : splitOutsideQuotes(header, ',')) {
            MediaRange range = parseOne(element);
            if (range != null) {
                ranges.add(range);
            }
        }
        return ranges;
    }

    private static MediaRange parseOne(String element) {
        List<String> parts = splitOutsideQuotes(element, ';');
        if (parts.isEmpty()) {
            return null;
        }
        String mediaType = parts.get(0).trim().toLowerCase(Locale.ROOT);
        int slash = mediaType.indexOf('/');
        if (slash <= 0 || slash == mediaType.length() - 1) {
            return null;
        }
        String type = mediaType.substring(0, slash).trim();
        String subtype = mediaType.substring(slash + 1).trim();
        if (type.equals("*") && !subtype.equals("*")) {
            return null;
        }
        Map<String, String> parameters = new TreeMap<>();
        double q = 1.0;
        for (String parameter : parts.subList(1, parts.size())) {
            int eq = parameter.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = parameter.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = unquote(parameter.substring(eq + 1).trim());
            if (name.equals("q")) {
                try {
                    q = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    return null;
                }
                if (!(q >= 0 && q <= 1)) {
                    return null;
                }
            } else {
                parameters.put(name, value);
            }
        }
        return new MediaRange(type, subtype, parameters, q);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
            return value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return value;
    }

    private static List<String> splitOutsideQuotes(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        parts.removeIf(p -> p.isBlank());
        return parts;
    }
}
