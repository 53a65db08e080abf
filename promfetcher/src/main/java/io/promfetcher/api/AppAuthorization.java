package io.promfetcher.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.api.CallerAuthorization.Decision;
import io.promfetcher.routes.AppView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The authorize step of an app metrics request: which of the resolved apps the caller may read,
 * or the answer that refuses it (401 no or bad token, 403 a token that cannot see the app, 503
 * when nobody could decide). A refused request scrapes nothing. When a route names several apps
 * (blue/green), the caller gets those it may read.
 */
final class AppAuthorization {
    /** The {@code WWW-Authenticate} of a 401: the caller must bring a UAA bearer token. */
    static final String CHALLENGE = "Bearer realm=\"promfetcher\"";

    /** What the step decided: the apps to scrape, or the refusal. */
    record Outcome(List<AppView> apps, Optional<Reply> refusal) {}

    private final CallerAuthorization authorization;

    AppAuthorization(CallerAuthorization authorization) {
        this.authorization = authorization;
    }

    CompletionStage<Outcome> check(Request request, List<AppView> apps) {
        if (authorization.open()) {
            return CompletableFuture.completedFuture(new Outcome(apps, Optional.empty()));
        }
        Optional<String> header = request.header("Authorization");
        List<CompletableFuture<Decision>> decisions = new ArrayList<>(apps.size());
        for (AppView app : apps) {
            decisions.add(authorization.app(header, app.identity().appId()).toCompletableFuture());
        }
        return CompletableFuture.allOf(decisions.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<AppView> allowed = new ArrayList<>();
            List<Decision> refused = new ArrayList<>();
            for (int i = 0; i < apps.size(); i++) {
                Decision d = decisions.get(i).join();
                if (d == Decision.ALLOWED) {
                    allowed.add(apps.get(i));
                } else {
                    refused.add(d);
                }
            }
            return allowed.isEmpty() ? new Outcome(List.of(), Optional.of(refusal(refused)))
                    : new Outcome(allowed, Optional.empty());
        });
    }

    /** The answer for a caller refused every app: the most actionable reason first. */
    static Reply refusal(List<Decision> decisions) {
        if (decisions.contains(Decision.UNAVAILABLE)) {
            return Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "cannot check the caller's access: the Cloud Controller does not answer")
                    .withHeader("Retry-After", "5");
        }
        if (decisions.contains(Decision.UNAUTHORIZED)) {
            return Reply.text(HttpResponseStatus.UNAUTHORIZED,
                            "a valid bearer token from the foundation's UAA is required (Authorization: Bearer ...)")
                    .withHeader("WWW-Authenticate", CHALLENGE);
        }
        return Reply.text(HttpResponseStatus.FORBIDDEN, "the caller's token cannot see this app in the Cloud Controller");
    }
}
