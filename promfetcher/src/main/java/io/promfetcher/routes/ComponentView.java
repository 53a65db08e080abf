package io.promfetcher.routes;

import java.time.Duration;
import java.util.List;

/**
 * A route registered by a BOSH job (route-registrar: UAA, the Cloud Controller…), not by an app.
 * Kept in the table and shown by {@code GET /routes}, never returned by app lookups: the gateway
 * labels samples with app identity, and these have none.
 */
public record ComponentView(String component, String host, int port, int tlsPort, List<String> uris,
                            Duration sinceRefresh) {
    public ComponentView {
        uris = List.copyOf(uris);
    }
}
