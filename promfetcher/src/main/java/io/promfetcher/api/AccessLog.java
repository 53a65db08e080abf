package io.promfetcher.api;

import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per API request: method, path, status, body bytes, duration and the endpoint's note.
 * Query values other than the gateway's own parameters are masked, because callers sometimes put
 * tokens in URLs; control characters are escaped so a request cannot forge log lines.
 */
final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.promfetcher.access");
    private static final Set<String> SHOWN_PARAMETERS = Set.of("app", "route_url", "metric_path", "org", "space", "scrape", "format");
    private static final int MAX_TARGET = 512;

    private final boolean enabled;

    AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    void log(String method, String uri, int status, long bytes, long nanos, String note) {
        if (enabled && LOG.isInfoEnabled()) {
            LOG.info("{} {} {} {}B {}ms{}", method, safeTarget(uri), status, bytes,
                    String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6), note.isEmpty() ? "" : " " + note);
        }
    }

    /** The request target fit for a log: foreign query values masked, control characters escaped. */
    static String safeTarget(String uri) {
        int q = uri.indexOf('?');
        StringBuilder out = new StringBuilder(q < 0 ? uri : uri.substring(0, q));
        if (q >= 0) {
            String[] pairs = uri.substring(q + 1).split("&", -1);
            for (int i = 0; i < pairs.length; i++) {
                out.append(i == 0 ? '?' : '&');
                int eq = pairs[i].indexOf('=');
                String name = eq < 0 ? pairs[i] : pairs[i].substring(0, eq);
                if (eq < 0 || SHOWN_PARAMETERS.contains(name)) {
                    out.append(pairs[i]);
                } else {
                    out.append(name).append("=***");
                }
            }
        }
        StringBuilder safe = new StringBuilder(Math.min(out.length(), MAX_TARGET) + 16);
        for (int i = 0; i < out.length() && safe.length() < MAX_TARGET; i++) {
            char c = out.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                safe.append(String.format("\\x%02x", (int) c));
            } else {
                safe.append(c);
            }
        }
        if (out.length() > MAX_TARGET) {
            safe.append("…");
        }
        return safe.toString();
    }
}
