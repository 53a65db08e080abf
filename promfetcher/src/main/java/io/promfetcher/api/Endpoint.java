package io.promfetcher.api;

import java.util.concurrent.CompletionStage;

/**
 * Answers one kind of API request. It may complete later (a fan-out waits for instances) but
 * must never block the event loop thread it is called on.
 */
@FunctionalInterface
public interface Endpoint {
    CompletionStage<Reply> handle(Request request);
}
