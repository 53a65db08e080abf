package io.promfetcher.routes;

import java.util.Objects;

/**
 * A {@link RouteSource}'s part of the gateway's readiness.
 *
 * @param ready  what the source feeds is complete: e.g. the route table has warmed up, so an app
 *               not in it really does not exist (404 rather than 503)
 * @param detail one line for operators, e.g. the server connected to or the last problem
 */
public record SourceHealth(boolean ready, String detail) {
    public SourceHealth {
        Objects.requireNonNull(detail, "detail");
    }
}
