package io.promfetcher.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.routes.RoutesAccess;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An operator endpoint behind {@link RoutesAccess}: {@code /routes}, the status page and the
 * explanations all pass through this one check, so they share one switch and one set of
 * credentials, and whatever the access rule decides (basic auth, or the Cloud Foundry
 * authorization mode) applies to all of them alike.
 */
public final class Protected implements Endpoint {
    private final RoutesAccess access;
    private final Endpoint endpoint;

    public Protected(RoutesAccess access, Endpoint endpoint) {
        this.access = access;
        this.endpoint = endpoint;
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        return switch (access.decide(request.header("Authorization"))) {
            case DISABLED -> CompletableFuture.completedFuture(
                    Reply.text(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + request.path()));
            case UNAUTHORIZED -> CompletableFuture.completedFuture(
                    Reply.text(HttpResponseStatus.UNAUTHORIZED, "credentials required for " + request.path())
                            .withHeader("WWW-Authenticate", RoutesAccess.CHALLENGE));
            case ALLOW -> endpoint.handle(request);
        };
    }
}
