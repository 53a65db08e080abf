package io.promfetcher.scrape;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import io.promfetcher.netty.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive connections to instances, kept idle per {@link InstanceAddress} between scrapes,
 * and the one place the client's channel pipeline is assembled. How many connections may be busy
 * is {@link Slots}' business; this pool keeps at most {@code max_connections_per_instance} idle
 * ones per address and {@code max_idle_connections} in all, most recently used first, and closes
 * those idle longer than {@code idle_connection_timeout}.
 */
final class ConnectionPool {
    /** Instance response headers larger than this are refused (too_large). */
    static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
    /** Bigger body chunks than Netty's 8 KiB default: fewer events for multi-megabyte bodies. */
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final ScrapeSettings settings;
    private final Bootstrap bootstrap;
    private final InstanceTls tls;
    private final OwnAddresses own;
    private final Map<InstanceAddress, ArrayDeque<Channel>> idle = new HashMap<>();
    /** Connections in {@link #idle}; guarded by it. */
    private int idleCount;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openCount = new AtomicInteger();
    private volatile ScrapeMetrics metrics;
    private volatile boolean closed;

    ConnectionPool(ScrapeSettings settings, EventLoopGroup group, Transport transport, InstanceTls tls, OwnAddresses own) {
        this.settings = settings;
        this.tls = tls;
        this.own = own;
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    void metrics(ScrapeMetrics metrics) {
        this.metrics = metrics;
    }

    int openConnections() {
        return openCount.get();
    }

    /**
     * An idle, still open connection to {@code address}, preferably one on {@code loop} (no thread
     * hand-off), or null when there is none.
     */
    Channel pollIdle(InstanceAddress address, EventLoop loop) {
        synchronized (idle) {
            ArrayDeque<Channel> channels = idle.get(address);
            if (channels == null) {
                return null;
            }
            int before = channels.size();
            channels.removeIf(c -> !c.isActive());
            idleCount -= before - channels.size();
            Channel found = null;
            for (Channel c : channels) {
                if (c.eventLoop() == loop) {
                    found = c;
                    break;
                }
            }
            if (found == null) {
                found = channels.peekFirst();
            }
            if (found != null) {
                channels.remove(found);
                idleCount--;
            }
            if (channels.isEmpty()) {
                idle.remove(address);
            }
            return found;
        }
    }

    /** Opens a new connection on {@code loop}; TLS, when the address needs it, starts on connect. */
    ChannelFuture connect(InstanceAddress address, EventLoop loop, int connectTimeoutMillis) {
        Bootstrap b = bootstrap.clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, connectTimeoutMillis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (address.tls()) {
                            p.addLast("tls", tls.newHandler(ch.alloc(), address.san(), address.port()));
                        }
                        p.addLast("http", new HttpClientCodec(new HttpDecoderConfig()
                                .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
                                .setMaxChunkSize(MAX_CHUNK_SIZE), false, false));
                        p.addLast("wire-bytes", new WireBytesCounter(metrics));
                        // 0: no cap per decoded buffer (a cap makes Netty throw); the body limit is applied per chunk downstream.
                        p.addLast("gunzip", new HttpContentDecompressor(0));
                        p.addLast("idle", new IdleStateHandler(0, 0,
                                settings.idleConnectionTimeout().toMillis(), TimeUnit.MILLISECONDS));
                        p.addLast("scrape", new ResponseHandler());
                    }
                });
        ChannelFuture future = b.connect(new InetSocketAddress(address.host(), address.port()));
        Channel channel = future.channel();
        open.add(channel);
        openCount.incrementAndGet();
        metrics.connectionOpened();
        channel.closeFuture().addListener(f -> forget(address, channel));
        future.addListener(f -> {
            if (!f.isSuccess() && !channel.isRegistered()) {
                forget(address, channel); // never registered (e.g. no file descriptor left): no close will follow
            }
        });
        if (closed) {
            channel.close();
        }
        return future;
    }

    /** Whether {@code address}, resolved, is one of the gateway's own listeners (never to be scraped). */
    boolean isOwn(InstanceAddress address) {
        InetSocketAddress remote = new InetSocketAddress(address.host(), address.port());
        return !remote.isUnresolved() && own.isOwn(remote.getAddress(), remote.getPort());
    }

    /** Keeps a connection whose last response ended cleanly for the next scrape of its address. */
    void release(InstanceAddress address, Channel channel) {
        boolean keep;
        synchronized (idle) {
            ArrayDeque<Channel> channels = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
            keep = !closed && channel.isActive() && channels.size() < settings.maxConnectionsPerInstance()
                    && idleCount < settings.maxIdleConnections();
            if (keep) {
                channels.addFirst(channel);
                idleCount++;
            } else if (channels.isEmpty()) {
                idle.remove(address);
            }
        }
        if (!keep) {
            channel.close();
        }
    }

    private void forget(InstanceAddress address, Channel channel) {
        if (open.remove(channel)) {
            openCount.decrementAndGet();
        }
        synchronized (idle) {
            ArrayDeque<Channel> channels = idle.get(address);
            if (channels != null && channels.remove(channel)) {
                idleCount--;
                if (channels.isEmpty()) {
                    idle.remove(address);
                }
            }
        }
    }

    /** Closes every connection, busy or idle; later connections are closed as they open. */
    void close() {
        closed = true;
        for (Channel channel : open) {
            channel.close();
        }
    }
}
