package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each complete HTTP request into an endpoint call and writes the reply: refuses what no
 * endpoint should see (bad requests, other methods, overload, shutdown), keeps the in-flight
 * count the graceful shutdown waits on, and records metrics and the access log.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** Set while a request on the connection is being answered; idle connections may be closed. */
    static final AttributeKey<Boolean> BUSY = AttributeKey.valueOf("promfetcher.busy");

    private final Router router;
    private final ServerState state;
    /** API requests count towards limits and shutdown; health probes must be answered regardless. */
    private final boolean api;

    ApiHandler(Router router, ServerState state, boolean api) {
        this.router = router;
        this.state = state;
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long start = System.nanoTime();
        ctx.channel().attr(BUSY).set(true);
        String method = request.method().name();
        String uri = request.uri();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);

        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            write(ctx, method, uri, "invalid", start, false, false, false,
                    Reply.text(status, "bad request: " + status.reasonPhrase().toLowerCase(java.util.Locale.ROOT)));
            return;
        }
        Request req;
        try {
            req = Request.of(method, uri, request.headers().copy(), (InetSocketAddress) ctx.channel().remoteAddress(),
                    ByteBufUtil.getBytes(request.content()));
        } catch (Request.MalformedTarget e) {
            write(ctx, method, uri, "invalid", start, keepAlive, head, false, Reply.text(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
            return;
        }
        Router.Route route = router.match(req.path()).orElse(null);
        if (route == null) {
            write(ctx, method, uri, "not_found", start, keepAlive, head, false,
                    Reply.text(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + req.path()));
            return;
        }
        if (!route.methods().contains(method)) {
            write(ctx, method, uri, "invalid", start, keepAlive, false, false,
                    Reply.text(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not served here; " + route.allow() + " are")
                            .withHeader("Allow", route.allow()));
            return;
        }
        boolean counted = false;
        if (api) {
            if (state.draining()) {
                state.metrics().rejected("draining");
                write(ctx, method, uri, "rejected", start, false, head, false,
                        Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "the gateway is shutting down"));
                return;
            }
            if (!state.tryEnter()) {
                state.metrics().rejected("overload");
                write(ctx, method, uri, "rejected", start, keepAlive, head, false,
                        Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                                "too many concurrent requests (http.max_concurrent_requests); retry shortly")
                                .withHeader("Retry-After", "1"));
                return;
            }
            counted = true;
        }
        CompletionStage<Reply> reply;
        try {
            reply = route.endpoint().handle(req);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        boolean finalCounted = counted;
        reply.whenComplete((r, error) -> ctx.executor().execute(() -> {
            Reply answer = r;
            if (error != null || r == null) {
                LOG.error("endpoint {} failed on {}", route.name(), AccessLog.safeTarget(uri), error);
                answer = Reply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error; see the gateway's log");
            }
            write(ctx, method, uri, route.name(), start, keepAlive, head, finalCounted, answer);
        }));
    }

    private void write(ChannelHandlerContext ctx, String method, String uri, String endpoint, long start,
                       boolean keepAlive, boolean head, boolean counted, Reply reply) {
        ByteBuf body = reply.body();
        int length = body.readableBytes();
        FullHttpResponse response;
        if (head) {
            body.release();
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), Unpooled.EMPTY_BUFFER);
        } else {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), body);
        }
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        for (Map.Entry<String, String> h : reply.headers().entrySet()) {
            response.headers().set(h.getKey(), h.getValue());
        }
        boolean keep = keepAlive && !(api && state.draining());
        if (keep) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        int code = reply.status().code();
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
            reply.written().run();
            ctx.channel().attr(BUSY).set(false);
            long nanos = System.nanoTime() - start;
            if (api) {
                state.metrics().answered(endpoint, code, nanos);
                state.accessLog().log(method, uri, code, length, nanos, reply.note());
            }
            if (counted) {
                state.exit();
            }
            if (!keep || !f.isSuccess()) {
                f.channel().close();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent && !Boolean.TRUE.equals(ctx.channel().attr(BUSY).get())) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: nothing to answer, nothing worth more than debug.
        LOG.debug("connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
