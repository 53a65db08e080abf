package io.promfetcher.cf;

import com.fasterxml.jackson.core.JacksonException;
import io.netty.handler.codec.TooLongFrameException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.cloudfoundry.AbstractCloudFoundryException;

/**
 * A Cloud Controller or UAA request that gave no usable answer, and why, in one word an operator
 * can count ({@code promfetcher_cf_requests_total{outcome}}): {@code http_<status>} (the
 * {@code errors} document's status), {@code timeout}, {@code overloaded} (too many waiting),
 * {@code connect}, {@code tls}, {@code too_large}, {@code bad_document} (wrong types, missing
 * fields, not JSON), {@code error} for anything else.
 */
final class CapiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;
    private final int status;

    CapiException(String reason, int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
        this.status = status;
    }

    /** The outcome label. */
    String reason() {
        return reason;
    }

    /** The HTTP status the server answered, 0 when there was no answer. */
    int status() {
        return status;
    }

    /** Classifies whatever a request failed with; a {@link CapiException} stays as it is. */
    static CapiException of(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof CapiException c) {
            return c;
        }
        if (t instanceof AbstractCloudFoundryException cf) {
            int status = cf.getStatusCode();
            return new CapiException("http_" + status, status, oneLine(cf.getMessage()), t);
        }
        String message = t.getClass().getSimpleName() + ": " + oneLine(t.getMessage());
        for (Throwable c = t; c != null; c = c.getCause()) {
            String reason = reasonOf(c);
            if (reason != null) {
                return new CapiException(reason, 0, message, t);
            }
        }
        return new CapiException("error", 0, message, t);
    }

    private static String reasonOf(Throwable t) {
        if (t instanceof TimeoutException || t instanceof io.netty.channel.ConnectTimeoutException) {
            return t instanceof io.netty.channel.ConnectTimeoutException ? "connect" : "timeout";
        }
        if (t instanceof CapiLimiter.Overloaded) {
            return "overloaded";
        }
        if (t instanceof DocumentTooLarge || t instanceof TooLongFrameException) {
            return "too_large";
        }
        if (t instanceof SSLException) {
            return "tls";
        }
        if (t instanceof ConnectException || t instanceof ClosedChannelException
                || t.getClass().getName().equals("reactor.netty.http.client.PrematureCloseException")) {
            return "connect";
        }
        if (t instanceof JacksonException
                || t.getClass().getName().equals("org.cloudfoundry.reactor.util.JsonParsingException")
                // cf-java-client's generated value types refuse a document missing a required field this way
                || (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("Cannot build"))
                || (t instanceof NullPointerException)) {
            return "bad_document";
        }
        return null;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    /** An answer larger than the gateway reads from the Cloud Controller or UAA. */
    static final class DocumentTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DocumentTooLarge(long limit) {
            super("answer larger than " + (limit >> 20) + " MB", null, false, false);
        }
    }
}
