package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each complete HTTP request into an endpoint call and writes the reply, one request at a
 * time per connection: a request that arrives while the previous one is being answered
 * (pipelining) waits until that answer is written, so answers go out in the order the requests
 * came, as HTTP/1.1 requires. At most {@value #MAX_PIPELINED} wait: a client that sends more
 * without reading the answers gets those answered, then one 503, and the connection is closed
 * (no real client pipelines that deep; holding more would let one connection take unbounded
 * memory).
 *
 * <p>Refuses what no endpoint should see — requests the decoder could not read, HTTP versions
 * other than 1.0 and 1.1, a missing or repeated {@code Host}, bad request targets, methods the
 * route does not serve, overload and shutdown — keeps the in-flight count the graceful shutdown
 * waits on (given back exactly once whatever happens to the request), and records metrics and
 * the access log.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** Set while a request on the connection is being answered; idle connections may be closed. */
    static final AttributeKey<Boolean> BUSY = AttributeKey.valueOf("promfetcher.busy");
    /**
     * Set while a streamed body is being sent: a connection that then neither reads nor takes
     * any of the body for {@code http.idle_timeout} is a stalled reader, and is closed.
     */
    static final AttributeKey<Boolean> STREAMING = AttributeKey.valueOf("promfetcher.streaming");
    /** Pipelined requests held per connection before it stops reading. */
    static final int MAX_PIPELINED = 16;

    private final Router router;
    private final ServerState state;
    /** API requests count towards limits and shutdown; health probes must be answered regardless. */
    private final boolean api;
    /** gzip level of streamed bodies (whole ones are compressed by the pipeline's compressor). */
    private final int gzipLevel;
    /** Requests received while another is being answered, in arrival order; retained until handled. */
    private final java.util.ArrayDeque<FullHttpRequest> waiting = new java.util.ArrayDeque<>();
    private boolean answering;
    /** More requests came than may wait: after those waiting, answer 503 and close. */
    private boolean overflowed;

    ApiHandler(Router router, ServerState state, boolean api, int gzipLevel) {
        this.router = router;
        this.state = state;
        this.api = api;
        this.gzipLevel = gzipLevel;
    }

    static boolean busy(io.netty.channel.Channel channel) {
        return Boolean.TRUE.equals(channel.attr(BUSY).get());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (answering) {
            if (overflowed) {
                return; // released by SimpleChannelInboundHandler; never answered: the connection closes first
            }
            if (waiting.size() == MAX_PIPELINED) {
                overflowed = true;
                ctx.channel().config().setAutoRead(false);
                return;
            }
            waiting.addLast(request.retain());
            return;
        }
        handle(ctx, request);
    }

    /** The previous answer is written and the connection stays open: the next waiting request, if any. */
    private void next(ChannelHandlerContext ctx) {
        answering = false;
        FullHttpRequest request = waiting.pollFirst();
        if (request == null) {
            if (overflowed) {
                state.metrics().rejected("pipelining");
                ByteBuf body = Unpooled.copiedBuffer("too many pipelined requests (at most " + MAX_PIPELINED
                        + " wait for an answer); send fewer at once\n", java.nio.charset.StandardCharsets.UTF_8);
                FullHttpResponse refusal = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE, body);
                refusal.headers().set(HttpHeaderNames.CONTENT_TYPE, Reply.TEXT).setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE).set("Retry-After", "1");
                ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        try {
            handle(ctx, request);
        } finally {
            request.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        FullHttpRequest request;
        while ((request = waiting.pollFirst()) != null) {
            request.release();
        }
        super.channelInactive(ctx);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        answering = true;
        ctx.channel().attr(BUSY).set(true);
        Exchange exchange = new Exchange(ctx, request);
        Optional<Reply> refused = unreadable(request);
        if (refused.isPresent()) {
            exchange.answer("invalid", refused.get(), false);
            return;
        }
        Request req;
        try {
            req = Request.of(exchange.method, exchange.uri, request.headers().copy(),
                    (InetSocketAddress) ctx.channel().remoteAddress(), ByteBufUtil.getBytes(request.content()));
        } catch (Request.MalformedTarget e) {
            exchange.answer("invalid", Reply.text(HttpResponseStatus.BAD_REQUEST, e.getMessage()), exchange.keepAlive);
            return;
        }
        Router.Route route = router.match(req.path()).orElse(null);
        if (route == null) {
            exchange.answer("not_found", Reply.text(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + req.path()),
                    exchange.keepAlive);
            return;
        }
        if (!route.methods().contains(exchange.method)) {
            exchange.answer("invalid", Reply.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                            exchange.method + " is not served here; " + route.allow() + " are")
                    .withHeader("Allow", route.allow()), exchange.keepAlive);
            return;
        }
        if (api && state.draining()) {
            state.metrics().rejected("draining");
            exchange.answer("rejected", Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "the gateway is shutting down"), false);
            return;
        }
        if (api && !exchange.enter()) {
            state.metrics().rejected("overload");
            exchange.answer("rejected", Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "too many concurrent requests (http.max_concurrent_requests); retry shortly")
                    .withHeader("Retry-After", "1"), exchange.keepAlive);
            return;
        }
        CompletionStage<Reply> reply;
        try {
            reply = route.endpoint().handle(req);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> ctx.executor().execute(() -> {
            Reply answer = r;
            if (error != null || r == null) {
                LOG.error("endpoint {} failed on {}", route.name(), AccessLog.safeTarget(exchange.uri), error);
                answer = Reply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error; see the gateway's log");
            }
            exchange.answer(route.name(), answer, exchange.keepAlive);
        }));
    }

    /**
     * Why the request cannot be read at all, if it cannot: the decoder failed, the version is not
     * HTTP/1.0 or 1.1 (505), or {@code Host} is missing from an HTTP/1.1 request or repeated
     * (RFC 9112 §3.2: 400). These close the connection: what follows on it cannot be trusted.
     */
    private static Optional<Reply> unreadable(FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            return Optional.of(Reply.text(status, "bad request: " + status.reasonPhrase().toLowerCase(Locale.ROOT)));
        }
        HttpVersion version = request.protocolVersion();
        if (!version.equals(HttpVersion.HTTP_1_1) && !version.equals(HttpVersion.HTTP_1_0)) {
            return Optional.of(Reply.text(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                    "HTTP version " + version.text() + " is not supported; use HTTP/1.1"));
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return Optional.of(Reply.text(HttpResponseStatus.BAD_REQUEST, "bad request: more than one Host header"));
        }
        if (hosts.isEmpty() && version.equals(HttpVersion.HTTP_1_1)) {
            return Optional.of(Reply.text(HttpResponseStatus.BAD_REQUEST, "bad request: an HTTP/1.1 request needs a Host header"));
        }
        return Optional.empty();
    }

    /** One request and its answer: written once, its in-flight slot given back once. */
    private final class Exchange {
        final ChannelHandlerContext ctx;
        final long start = System.nanoTime();
        final String method;
        final String uri;
        final boolean keepAlive;
        final boolean head;
        /** HTTP/1.1: a body of unknown length goes in chunks; to HTTP/1.0 it goes until the connection closes. */
        final boolean chunked;
        final String acceptEncoding;
        private boolean counted;
        private boolean answered;

        Exchange(ChannelHandlerContext ctx, FullHttpRequest request) {
            this.ctx = ctx;
            this.method = request.method().name();
            this.uri = request.uri();
            this.keepAlive = HttpUtil.isKeepAlive(request);
            this.head = request.method().equals(HttpMethod.HEAD);
            this.chunked = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
            this.acceptEncoding = request.headers().get(HttpHeaderNames.ACCEPT_ENCODING);
        }

        boolean enter() {
            counted = state.tryEnter();
            return counted;
        }

        /** Writes the reply (releasing its body), then reads the next request or closes. */
        void answer(String endpoint, Reply reply, boolean keepAliveWanted) {
            if (answered) {
                reply.discard();
                return;
            }
            answered = true;
            boolean keep = keepAliveWanted && !(api && state.draining());
            if (reply.stream().isPresent()) {
                stream(endpoint, reply, keep && chunked);
                return;
            }
            int code = reply.status().code();
            int length = reply.body().readableBytes();
            FullHttpResponse response;
            try {
                response = response(reply, keep);
            } catch (RuntimeException e) { // e.g. a header value Netty refuses: never leave the caller without an answer
                LOG.error("cannot write the answer of {} to {}", endpoint, AccessLog.safeTarget(uri), e);
                reply.body().release();
                response = response(Reply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error; see the gateway's log"), false);
                keep = false;
                code = 500;
            }
            boolean keepOpen = keep;
            int status = code;
            ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> complete(endpoint, reply, status, length,
                    keepOpen && f.isSuccess()));
        }

        /**
         * Writes the headers of a streamed reply, then its body as it is made ({@link BodyStreamer});
         * gzip is applied here, once for the whole body, when the caller accepts it.
         */
        private void stream(String endpoint, Reply reply, boolean keep) {
            StreamedBody body = reply.stream().orElseThrow();
            boolean gzip = gzipLevel > 0 && !head && BodyStreamer.acceptsGzip(acceptEncoding);
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, reply.status());
            try {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
                for (Map.Entry<String, String> h : reply.headers().entrySet()) {
                    response.headers().set(h.getKey(), h.getValue());
                }
            } catch (RuntimeException e) { // as for whole replies: a header Netty refuses is an internal error
                LOG.error("cannot write the answer of {} to {}", endpoint, AccessLog.safeTarget(uri), e);
                body.close(false);
                answered = false;
                answer(endpoint, Reply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error; see the gateway's log"), false);
                return;
            }
            if (chunked) {
                response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            if (gzip) {
                // Set, so the pipeline's compressor leaves the body alone.
                response.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
            }
            response.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
            response.headers().set(HttpHeaderNames.CONNECTION, keep ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            int code = reply.status().code();
            if (head) {
                body.close(false);
                ctx.write(response);
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((ChannelFutureListener) f ->
                        complete(endpoint, reply, code, 0, keep && f.isSuccess()));
                return;
            }
            ctx.write(response);
            ctx.channel().attr(STREAMING).set(true);
            new BodyStreamer(ctx, body, gzip ? gzipLevel : 0, (sent, bytes) -> complete(endpoint, reply, code,
                    (int) Math.min(Integer.MAX_VALUE, bytes), keep && sent)).start();
        }

        /** The reply has been written (or failed): the memory it held, the slot, the log; then the next request, or close. */
        private void complete(String endpoint, Reply reply, int code, int length, boolean keepOpen) {
            try {
                reply.written().run();
            } finally {
                finished(endpoint, code, length, reply.note());
            }
            if (keepOpen) {
                ctx.executor().execute(() -> next(ctx)); // not nested: many pipelined answers written at once must not deepen the stack
            } else {
                ctx.channel().close();
            }
        }

        private FullHttpResponse response(Reply reply, boolean keep) {
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
            response.headers().set(HttpHeaderNames.CONNECTION, keep ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            return response;
        }

        private void finished(String endpoint, int code, int length, String note) {
            ctx.channel().attr(BUSY).set(false);
            ctx.channel().attr(STREAMING).set(false);
            long nanos = System.nanoTime() - start;
            if (api) {
                state.metrics().answered(endpoint, code, nanos);
                state.accessLog().log(method, uri, code, length, nanos, note);
            }
            if (counted) {
                counted = false;
                state.exit();
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent && (!busy(ctx.channel()) || Boolean.TRUE.equals(ctx.channel().attr(STREAMING).get()))) {
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
