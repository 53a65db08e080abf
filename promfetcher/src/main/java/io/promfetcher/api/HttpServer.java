package io.promfetcher.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.netty.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's two HTTP listeners on shared event loops: the API port (app metrics, /metrics,
 * /routes, health) and the health port (health only, so platform health checks still get an
 * answer while the API is saturated or draining). Owns the graceful-shutdown mechanics: stop
 * accepting, close idle connections, wait for in-flight requests.
 */
public final class HttpServer {
    /**
     * Listener settings, already validated by the configuration loader.
     *
     * @param headerTimeout  time a client has to send one whole request ({@code http.header_timeout})
     * @param idleTimeout    a connection with no request for this long is closed ({@code http.idle_timeout})
     * @param maxConnections open connections per listener; more are answered 503 and closed
     *                       ({@code http.max_connections})
     */
    public record Settings(String address, int apiPort, int healthPort, int maxHeaderSize,
                           int maxConcurrentRequests, int gzipLevel, boolean accessLog,
                           Duration headerTimeout, Duration idleTimeout, int maxConnections) {}

    /** API requests are GETs: a body is never needed, a large one is refused. */
    private static final int MAX_REQUEST_BODY = 64 * 1024;
    /** Bodies smaller than this are not worth compressing. */
    private static final int GZIP_THRESHOLD = 1024;

    private final Settings settings;
    private final Transport transport;
    private final EventLoopGroup group;
    private final Router apiRouter;
    private final Router healthRouter;
    private final Health health;
    private final ServerState state;
    private final ChannelGroup apiConnections = new DefaultChannelGroup("api", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup healthConnections = new DefaultChannelGroup("health", GlobalEventExecutor.INSTANCE);
    private Channel apiListener;
    private Channel healthListener;

    public HttpServer(Settings settings, Transport transport, EventLoopGroup group, Router apiRouter,
                      Health health, PrometheusRegistry registry) {
        this.settings = settings;
        this.transport = transport;
        this.group = group;
        this.health = health;
        this.state = new ServerState(settings.maxConcurrentRequests(), health, registry, settings.accessLog());
        this.apiRouter = withHealth(apiRouter);
        this.healthRouter = withHealth(new Router()).exact("/", "health", this::health);
    }

    private Router withHealth(Router router) {
        return router.exact("/health", "health", this::health).exact("/ready", "ready", this::ready);
    }

    private CompletableFuture<Reply> health(Request request) {
        return CompletableFuture.completedFuture(Reply.json(
                health.healthy() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, health.toJson()));
    }

    private CompletableFuture<Reply> ready(Request request) {
        return CompletableFuture.completedFuture(Reply.json(
                health.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, health.toJson()));
    }

    /** Binds both ports; fails with a message naming the port if either cannot be bound. */
    public void start() {
        healthListener = bind(settings.healthPort(), "health_port", healthRouter, false, healthConnections);
        try {
            apiListener = bind(settings.apiPort(), "port", apiRouter, true, apiConnections);
        } catch (RuntimeException e) {
            healthListener.close().syncUninterruptibly();
            throw e;
        }
    }

    private Channel bind(int port, String key, Router router, boolean api, ChannelGroup connections) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (connections.size() >= settings.maxConnections()) {
                            state.metrics().rejected("connections");
                            p.addLast(new TooManyConnections());
                            return;
                        }
                        connections.add(ch);
                        p.addLast(new RequestFraming(settings.headerTimeout(), 2 * settings.maxHeaderSize() + 1024,
                                () -> ApiHandler.busy(ch), reason -> state.metrics().rejected(reason)));
                        p.addLast(new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
                        p.addLast(new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(settings.maxHeaderSize())
                                .setMaxHeaderSize(settings.maxHeaderSize())
                                .setStrictLineParsing(true)));
                        if (api) {
                            p.addLast(new HttpContentCompressor(GZIP_THRESHOLD,
                                    StandardCompressionOptions.gzip(settings.gzipLevel(), 15, 8)));
                        }
                        p.addLast(new HttpObjectAggregator(MAX_REQUEST_BODY));
                        p.addLast(new ApiHandler(router, state, api, api ? settings.gzipLevel() : 0));
                    }
                });
        try {
            return bootstrap.bind(new InetSocketAddress(settings.address(), port)).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind failure, a checked exception, unchecked
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IllegalStateException("cannot listen on " + settings.address() + ":" + port + " (" + key + "): " + why, e);
        }
    }

    /** The answer to a connection beyond {@code http.max_connections}: 503, written as it opens, then closed. */
    private static final class TooManyConnections extends ChannelInboundHandlerAdapter {
        private static final String MESSAGE = "too many open connections (http.max_connections); retry shortly\n";
        private static final byte[] ANSWER = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: " + Reply.TEXT
                + "\r\nRetry-After: 1\r\nContent-Length: " + MESSAGE.length() + "\r\nConnection: close\r\n\r\n"
                + MESSAGE).getBytes(StandardCharsets.US_ASCII);

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    public int apiPort() {
        return ((InetSocketAddress) apiListener.localAddress()).getPort();
    }

    public int healthPort() {
        return ((InetSocketAddress) healthListener.localAddress()).getPort();
    }

    public int inFlight() {
        return state.inFlight();
    }

    /**
     * Closes the API listener and every API connection not in the middle of a request; requests
     * in flight go on. The health port stays open so it can report 503 while the gateway drains.
     */
    public void stopAccepting() {
        if (apiListener != null) {
            apiListener.close().syncUninterruptibly();
        }
        for (Channel connection : apiConnections) {
            if (!ApiHandler.busy(connection)) {
                connection.close();
            }
        }
    }

    /** Waits for in-flight API requests; false if some were still running at the timeout. */
    public boolean awaitInFlight(Duration timeout) throws InterruptedException {
        return state.awaitIdle(timeout);
    }

    /** Closes every listener and connection. */
    public void close() {
        if (apiListener != null) {
            apiListener.close().syncUninterruptibly();
        }
        if (healthListener != null) {
            healthListener.close().syncUninterruptibly();
        }
        apiConnections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        healthConnections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
