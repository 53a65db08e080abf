package io.promfetcher.exposition;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Why an instance gave no samples, or lost some: the {@code reason} label of
 * {@code promfetcher_scrape_error} and of the gateway's outcome counters. This is the one list of
 * reasons: the fan-out decides {@link #TIMEOUT}, {@link #CONNECT}, {@link #TLS}, {@link #TOO_LARGE}
 * and {@code http_<status>}, the merger {@link #PARSE} and {@link #CONFLICT}.
 *
 * <p>Every value is a valid label value by construction, so a reason can never make the output
 * invalid: an instance's status code outside 100–599 (an instance can send any three digits) is
 * {@link #HTTP_INVALID}, never {@code http_600}.
 */
public final class FailureReason {
    /** No complete answer within the per-instance timeout or the fan-out deadline. */
    public static final FailureReason TIMEOUT = new FailureReason("timeout", -1);
    /**
     * The connection failed: refused, reset, closed before or during the response (a body cut
     * short is never passed on), or the bytes on it were not a valid HTTP response or gzip stream.
     */
    public static final FailureReason CONNECT = new FailureReason("connect", -1);
    /** TLS handshake failed: untrusted certificate, wrong SAN, client certificate refused. */
    public static final FailureReason TLS = new FailureReason("tls", -1);
    /** The body, after decompression, or the response headers exceeded a limit, or memory for it was not available. */
    public static final FailureReason TOO_LARGE = new FailureReason("too_large", -1);
    /** The body did not parse as the exposition format it was read as. */
    public static final FailureReason PARSE = new FailureReason("parse", -1);
    /** The instance is up but lost samples to a type conflict with a lower-index instance. */
    public static final FailureReason CONFLICT = new FailureReason("conflict", -1);
    /** The instance answered a status code outside 100–599. */
    public static final FailureReason HTTP_INVALID = new FailureReason("http_invalid", -1);

    private static final FailureReason[] HTTP = new FailureReason[600];

    static {
        for (int status = 100; status < HTTP.length; status++) {
            HTTP[status] = new FailureReason("http_" + status, status);
        }
    }

    private final String label;
    private final int httpStatus;

    private FailureReason(String label, int httpStatus) {
        this.label = label;
        this.httpStatus = httpStatus;
    }

    /** {@code http_<status>} for a status in 100–599, else {@link #HTTP_INVALID}. */
    public static FailureReason http(int status) {
        return status >= 100 && status < HTTP.length ? HTTP[status] : HTTP_INVALID;
    }

    /** The reasons that are not an HTTP status, e.g. to show every counter at 0 from the start. */
    public static List<FailureReason> fixed() {
        return List.of(TIMEOUT, CONNECT, TLS, TOO_LARGE, PARSE, CONFLICT, HTTP_INVALID);
    }

    /** The label value: lower-case ASCII letters, digits and underscores. */
    public String label() {
        return label;
    }

    /** The instance's status code when this is {@code http_<status>}. */
    public OptionalInt httpStatus() {
        return httpStatus < 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** Whether the instance refused the caller's credentials (401 or 403). */
    public boolean refusedCredentials() {
        return httpStatus == 401 || httpStatus == 403;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FailureReason other && other.label.equals(label);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(label);
    }

    @Override
    public String toString() {
        return label;
    }
}
