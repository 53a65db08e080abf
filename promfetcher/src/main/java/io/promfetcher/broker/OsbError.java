package io.promfetcher.broker;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.Objects;

/**
 * A failed broker call as the Open Service Broker API answers it: the status the spec names for
 * the case and the body {@code {"error": …, "description": …}}. {@code error} is one camel-case
 * word; where the spec defines one for the case (RequiresApp, MaintenanceInfoConflict,
 * AsyncRequired, ConcurrencyError) that word is used. {@code description} is shown to the
 * developer by the platform ({@code cf bind-service} prints it), so it says what to change.
 */
record OsbError(HttpResponseStatus status, String error, String description) {
    OsbError {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(description, "description");
    }

    /** Malformed or missing mandatory data, or data the broker cannot accept (400). */
    static OsbError badRequest(String description) {
        return new OsbError(HttpResponseStatus.BAD_REQUEST, "BadRequest", description);
    }

    /** The binding's parameters are wrong (400): nothing was stored. */
    static OsbError invalidParameters(String description) {
        return new OsbError(HttpResponseStatus.BAD_REQUEST, "InvalidParameters", description);
    }

    static OsbError unavailable(String description) {
        return new OsbError(HttpResponseStatus.SERVICE_UNAVAILABLE, "DatabaseUnavailable", description);
    }

    /** A request the broker refuses for what it says, thrown by the checking steps. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient OsbError error;
        private final transient Map<String, String> headers;

        Refusal(OsbError error, Map<String, String> headers) {
            super(error.description(), null, false, false);
            this.error = error;
            this.headers = Map.copyOf(headers);
        }

        OsbError error() {
            return error;
        }

        /** Headers the answer needs besides the body ({@code Allow} with a 405). */
        Map<String, String> headers() {
            return headers;
        }
    }

    Refusal refusal() {
        return new Refusal(this, Map.of());
    }

    Refusal refusal(String header, String value) {
        return new Refusal(this, Map.of(header, value));
    }
}
