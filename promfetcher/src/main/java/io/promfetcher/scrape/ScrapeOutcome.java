package io.promfetcher.scrape;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What happened to one instance of a fan-out: its body, or why there is none. Durations are
 * counted from the start of the fan-out, so they include any wait for a connection slot.
 */
public sealed interface ScrapeOutcome<T> {
    ScrapeTarget<T> target();

    Duration duration();

    /** Shortcut for {@code target().instance()}. */
    default T instance() {
        return target().instance();
    }

    /**
     * HTTP 200 and the whole body, decompressed.
     *
     * @param body        the body after gzip decoding; never truncated (the array is not
     *                    copied: do not modify it)
     * @param contentType the instance's {@code Content-Type}, "" when it sent none
     */
    record Success<T>(ScrapeTarget<T> target, byte[] body, String contentType, Duration duration)
            implements ScrapeOutcome<T> {
        public Success {
            Objects.requireNonNull(target);
            Objects.requireNonNull(body);
            Objects.requireNonNull(contentType);
        }
    }

    /**
     * No usable body.
     *
     * @param reason one of {@link #TIMEOUT}, {@link #CONNECT}, {@link #TLS}, {@link #TOO_LARGE}
     *               or {@code http_<status>} for any status but 200 (redirects are never followed)
     * @param detail what an operator needs to know, in words
     */
    record Failure<T>(ScrapeTarget<T> target, String reason, String detail, Duration duration)
            implements ScrapeOutcome<T> {
        /** No complete answer within the per-instance timeout or the fan-out deadline. */
        public static final String TIMEOUT = "timeout";
        /**
         * The connection failed: refused, reset, closed before or during the response (a body cut
         * short is never passed on), or the bytes on it were not a valid HTTP response or gzip stream.
         */
        public static final String CONNECT = "connect";
        /** TLS handshake failed: untrusted certificate, wrong SAN, client certificate refused. */
        public static final String TLS = "tls";
        /** The body, after decompression, or the response headers exceeded the limit. */
        public static final String TOO_LARGE = "too_large";

        public Failure {
            Objects.requireNonNull(target);
            Objects.requireNonNull(reason);
            Objects.requireNonNull(detail);
        }

        /** The instance's HTTP status when the reason is {@code http_<status>}. */
        public OptionalInt httpStatus() {
            return reason.startsWith("http_") ? OptionalInt.of(Integer.parseInt(reason.substring(5))) : OptionalInt.empty();
        }
    }
}
