package io.promfetcher.routes;

/**
 * Why a route announcement was rejected, or cut to the table's limits; the label value of the
 * malformed-messages metric.
 */
public enum MalformedReason {
    /** Not parseable JSON (syntax error, truncated, bad UTF-8, trailing data, empty). */
    NOT_JSON("not_json"),
    /** JSON, but not an object, or a field of the wrong type (e.g. {@code "port":"80"}). */
    WRONG_TYPE("wrong_type"),
    /** No {@code host} (or an empty one): there is nowhere to send a request. */
    MISSING_HOST("missing_host"),
    /** Neither {@code port} nor {@code tls_port} set. */
    MISSING_PORT("missing_port"),
    /** A port outside 1..65535. */
    PORT_OUT_OF_RANGE("port_out_of_range"),
    /** Larger than {@link RegistrationDecoder#MAX_MESSAGE_BYTES}. */
    TOO_LARGE("too_large"),
    /**
     * More routes for one instance than {@code routes.max_uris_per_instance}: the first ones are
     * kept, the rest refused.
     */
    TOO_MANY_URIS("too_many_uris"),
    /** A new instance of an app that already has {@code routes.max_instances_per_app}: refused. */
    TOO_MANY_INSTANCES("too_many_instances"),
    /** A new endpoint while the table holds {@code routes.max_instances}: refused. */
    TABLE_FULL("table_full");

    private final String label;

    MalformedReason(String label) {
        this.label = label;
    }

    /** The metric label value. */
    public String label() {
        return label;
    }
}
