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
 * it did not exist; protected, it asks for basic auth.
 */
public final class RoutesEndpoint implements Endpoint {
    private final RouteTable table;
    private final Endpoint guarded;

    public RoutesEndpoint(RouteTable table, RoutesAccess access) {
        this.table = table;
        this.guarded = new Protected(access, request -> CompletableFuture.completedFuture(json()));
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        return guarded.handle(request);
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
