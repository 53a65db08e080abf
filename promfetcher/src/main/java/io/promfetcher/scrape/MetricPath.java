package io.promfetcher.scrape;

/**
 * The path scraped on every instance ({@code metric_path}, default {@code /metrics}), validated so
 * that a caller can only choose a path on the instances of the app it asked for: never another
 * host, never a parent directory, never an injected header.
 *
 * <p>Accepted: an absolute path ({@code /…}) of at most {@value #MAX_LENGTH} characters made of
 * URL path characters, optionally followed by a query ({@code ?…}, for endpoints such as
 * {@code /federate?match[]=…}). Refused, each with its own message:
 * <ul>
 *   <li>anything not starting with {@code /}: absolute URLs ({@code http://host/}), relative
 *       paths, {@code @host}, {@code host:port};</li>
 *   <li>{@code //…}, which names a host when joined to a base URL;</li>
 *   <li>{@code .} and {@code ..} segments, raw or percent-encoded ({@code %2e%2e}), including the
 *       {@code ..;} form some servers treat as {@code ..};</li>
 *   <li>control characters, raw or encoded ({@code %0d%0a}), spaces, non-ASCII characters,
 *       backslashes (raw or {@code %5c}), encoded slashes ({@code %2f}), double encoding
 *       ({@code %25}), malformed percent-escapes, a fragment ({@code #}) and {@code @}
 *       (no metrics endpoint needs one, and it is the classic way to smuggle an authority past
 *       naive URL joining);</li>
 *   <li>the gateway's own app endpoints ({@code /v1/apps/…}, {@code /v2/apps/…}, in any case or
 *       encoding), so that an instance announced at the gateway's address cannot make it nest
 *       requests (the address itself is refused too, by {@link OwnAddresses}).</li>
 * </ul>
 * The value arrives already percent-decoded once by the query-string decoder; whatever remains is
 * what goes on the request line, so these checks apply to exactly the bytes an instance sees.
 */
public record MetricPath(String value) {
    /** The gateway's own merged endpoints: a path naming them could only make it scrape itself. */
    private static final java.util.List<String> OWN_APP_PATHS = java.util.List.of("/v1/apps", "/v2/apps");
    /** The endpoint Prometheus client libraries serve by default. */
    public static final MetricPath DEFAULT = new MetricPath("/metrics");
    /** Long enough for any real endpoint (with a federate query), short enough to refuse abuse. */
    public static final int MAX_LENGTH = 1024;

    /** Throws {@link IllegalArgumentException} with a message fit for a 400 answer. */
    public MetricPath {
        String problem = problem(value);
        if (!problem.isEmpty()) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * The validated path, or {@link IllegalArgumentException} whose message says what is wrong
     * (meant to be answered to the caller as a 400).
     */
    public static MetricPath validate(String raw) {
        return new MetricPath(raw);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problem(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "metric_path is empty; it must be an absolute path such as /metrics";
        }
        if (raw.length() > MAX_LENGTH) {
            return "metric_path is longer than " + MAX_LENGTH + " characters";
        }
        if (raw.charAt(0) != '/') {
            return "metric_path must be an absolute path starting with '/', not a URL, a host or a relative path";
        }
        if (raw.startsWith("//")) {
            return "metric_path must not start with '//', which names a host";
        }
        int queryStart = raw.indexOf('?');
        String path = queryStart < 0 ? raw : raw.substring(0, queryStart);
        for (int i = 0; i < raw.length(); i++) {
            String bad = badCharacter(raw, i, queryStart >= 0 && i > queryStart);
            if (!bad.isEmpty()) {
                return bad;
            }
        }
        String decodedPath = decodeSegment(path).toLowerCase(java.util.Locale.ROOT);
        for (String own : OWN_APP_PATHS) {
            if (decodedPath.equals(own) || decodedPath.startsWith(own + "/")) {
                return "metric_path must not name the gateway's own app endpoints (/v1/apps/…, /v2/apps/…)";
            }
        }
        for (String segment : path.substring(1).split("/", -1)) {
            String decoded = decodeSegment(segment);
            int parameters = decoded.indexOf(';');
            String name = parameters < 0 ? decoded : decoded.substring(0, parameters);
            if (name.equals(".") || name.equals("..")) {
                return "metric_path must not contain '.' or '..' segments (raw or percent-encoded)";
            }
        }
        return "";
    }

    /** Why the character at {@code i} is refused, or "" when it is fine. */
    private static String badCharacter(String raw, int i, boolean inQuery) {
        char c = raw.charAt(i);
        if (c < 0x20 || c == 0x7f) {
            return "metric_path contains a control character";
        }
        if (c == ' ') {
            return "metric_path contains a space; percent-encode it as %20";
        }
        if (c > 0x7e) {
            return "metric_path contains a non-ASCII character; percent-encode it";
        }
        if (c == '\\') {
            return "metric_path must not contain a backslash";
        }
        if (c == '@') {
            return "metric_path must not contain '@'";
        }
        if (c == '#') {
            return "metric_path must not contain a fragment ('#')";
        }
        if (c == '%') {
            if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                return "metric_path has a malformed percent-escape (a '%' must be followed by two hex digits)";
            }
            int decoded = hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2));
            if (decoded < 0x20 || decoded == 0x7f) {
                return "metric_path contains an encoded control character (%" + raw.substring(i + 1, i + 3) + ")";
            }
            if (decoded == '%') {
                return "metric_path must not contain a double-encoded character (%25)";
            }
            if (!inQuery && (decoded == '/' || decoded == '\\')) {
                return "metric_path must not contain an encoded slash or backslash in its path (%2f, %5c)";
            }
            return "";
        }
        // Brackets, braces and quotes appear unencoded in federate-style queries (match[]={job="x"}).
        if (isPathCharacter(c) || (inQuery && "[]{}\"|^".indexOf(c) >= 0)) {
            return "";
        }
        return "metric_path contains '" + c + "', which is not allowed in a URL path";
    }

    /** RFC 3986 pchar without '@' (refused above), plus '/' and the query mark. */
    private static boolean isPathCharacter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:/?".indexOf(c) >= 0;
    }

    /** Percent-decodes one segment whose escapes were already checked; only the dot test reads the result. */
    private static String decodeSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        StringBuilder out = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                out.append((char) (hex(segment.charAt(i + 1)) * 16 + hex(segment.charAt(i + 2))));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
