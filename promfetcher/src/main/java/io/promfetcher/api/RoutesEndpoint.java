package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.routes.RouteTable;
import io.promfetcher.routes.RoutesAccess;
import io.promfetcher.routes.RoutesJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /routes}: the route table as JSON, for operators. Switched off, it answers 404 as if
 * it did not exist; protected, it asks for basic auth (an admin-read bearer token in
 * {@code auth.mode: cf}).
 */
public final class RoutesEndpoint implements Endpoint {
    private final RouteTable table;
    private final RoutesAccess access;

    public RoutesEndpoint(RouteTable table, RoutesAccess access) {
        this.table = table;
        this.access = access;
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        return CompletableFuture.completedFuture(switch (access.decide(request.header("Authorization"))) {
            case DISABLED -> Reply.text(HttpResponseStatus.NOT_FOUND, "no such endpoint: /routes");
            case UNAUTHORIZED -> Reply.text(HttpResponseStatus.UNAUTHORIZED, "credentials required for /routes")
                    .withHeader("WWW-Authenticate", access.challenge());
            case ALLOW -> json();
        });
    }

    private Reply json() {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer(64 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            RoutesJson.write(table.snapshot(), out);
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException(e);
        }
        return Reply.of(HttpResponseStatus.OK, Reply.JSON, body);
    }
}
