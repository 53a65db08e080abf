package io.promfetcher.scrape;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a caller's request contributes to the requests sent to the instances of the app it asked
 * for, as decided by {@link HeaderPolicy}: the headers forwarded as they are (name, value; a name
 * may repeat), the {@code X-Forwarded-For} chain ending with the caller's address, and the
 * {@code X-Forwarded-Proto} the caller used.
 */
public record ForwardedHeaders(List<Map.Entry<String, String>> headers, String forwardedFor, String forwardedProto) {
    /** Nothing forwarded: for scrapes made on the gateway's own behalf and for tests. */
    public static final ForwardedHeaders NONE = new ForwardedHeaders(List.of(), "", "http");

    public ForwardedHeaders {
        headers = headers.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        Objects.requireNonNull(forwardedFor, "forwardedFor");
        Objects.requireNonNull(forwardedProto, "forwardedProto");
    }
}
