package io.promfetcher.scrape;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.promfetcher.exposition.FailureReason;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * One instance's scrape within a fan-out: wait for a slot, take a pooled connection or open one
 * (TLS handshake included), send the GET, collect the decompressed body within the size limit,
 * and report exactly one outcome. A reused connection that turns out to have been closed by the
 * instance before any response byte is retried once on a new connection (the instance may close
 * idle connections at any moment; the GET is idempotent). Response parts arrive on the
 * connection's event loop; the timers and the start run on the fan-out's loop; {@link #claim()}
 * decides which of them reports.
 */
final class InstanceScrape<T> {
    /** An error answer's body is read (and dropped) to keep the connection, up to this size. */
    private static final int MAX_DISCARDED_ERROR_BODY = 64 * 1024;
    private static final int INITIAL_BODY_CAPACITY = 64 * 1024;
    private static final int MAX_PREALLOCATION = 1024 * 1024;

    final Fanout<T> fanout;
    final InstanceAddress address;
    /** True while this scrape holds a connection slot: set by {@link Slots} when granted, cleared once on release. */
    final AtomicBoolean slotHeld = new AtomicBoolean();

    private final int index;
    private final ScrapeTarget<T> target;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Channel channel;
    private volatile ScheduledFuture<?> timer;
    /** The memory the body takes, handed on with a successful outcome, else given back on publishing. */
    private final MemoryBudget.Hold hold;
    private volatile boolean started;
    private volatile ScrapeOutcome.Failure<T> errorAnswer;
    private long limitNanos;
    private boolean reused;
    private boolean retried;
    // Response state, confined to the connection's event loop.
    private boolean responseStarted;
    private boolean informational;
    private boolean keepAlive;
    private String contentType = "";
    private byte[] body;
    private int size;
    private long discarded;

    InstanceScrape(Fanout<T> fanout, int index, ScrapeTarget<T> target) {
        this.fanout = fanout;
        this.index = index;
        this.target = target;
        this.address = InstanceAddress.of(target);
        this.hold = fanout.client.budget().hold();
    }

    boolean isDone() {
        return done.get();
    }

    /** Called by {@link Slots} once a slot is granted: hops to the fan-out's loop, never recursing. */
    void startOnLoop() {
        fanout.loop.execute(this::start);
    }

    private void start() {
        if (done.get()) {
            fanout.client.slots().release(this);
            return;
        }
        started = true;
        long now = System.nanoTime();
        limitNanos = Math.min(now + fanout.client.settings().instanceTimeout().toNanos(), fanout.deadlineNanos);
        if (limitNanos - now <= 0) {
            fail(FailureReason.TIMEOUT, "fan-out deadline passed while waiting for a connection slot");
            return;
        }
        timer = fanout.loop.schedule(() -> expire("no complete answer within "
                + HeaderPolicy.seconds(Duration.ofNanos(limitNanos - now)) + "s"), limitNanos - now, TimeUnit.NANOSECONDS);
        if (target.tls() && target.serverCertDomainSan().map(String::isBlank).orElse(true)) {
            fail(FailureReason.TLS, "instance has a tls_port but no server_cert_domain_san to verify its certificate against");
            return;
        }
        Channel idle = fanout.client.pool().pollIdle(address, fanout.loop);
        if (idle != null) {
            reused = true;
            send(idle);
        } else {
            connect();
        }
    }

    private void connect() {
        if (done.get()) {
            return; // the deadline passed while a retry was being scheduled
        }
        reused = false;
        if (fanout.client.pool().isOwn(address)) {
            fail(FailureReason.CONNECT, "not scraped: " + address + " is the gateway's own address, and it never scrapes itself");
            return;
        }
        int millis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(limitNanos - System.nanoTime()));
        ChannelFuture connecting = fanout.client.pool().connect(address, fanout.loop, millis);
        channel = connecting.channel();
        connecting.addListener(f -> {
            Channel ch = connecting.channel();
            if (!f.isSuccess()) {
                failIfCurrent(ch, reasonFor(f.cause()), "cannot connect to " + address + ": " + describe(f.cause()));
                return;
            }
            SslHandler tls = ch.pipeline().get(SslHandler.class);
            if (tls == null) {
                send(ch);
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    send(ch);
                } else {
                    failIfCurrent(ch, FailureReason.TLS, "TLS handshake with " + address + " (expecting "
                            + address.san() + ") failed: " + describe(h.cause()));
                }
            });
        });
    }

    private void send(Channel ch) {
        channel = ch;
        ch.eventLoop().execute(() -> {
            if (done.get()) {
                fanout.client.pool().release(address, ch);
                return;
            }
            ResponseHandler handler = ch.pipeline().get(ResponseHandler.class);
            if (handler == null || !ch.isActive()) {
                onConnectionLost(ch, null);
                return;
            }
            long left = Math.max(0, limitNanos - System.nanoTime());
            Duration timeoutDown = Duration.ofNanos(Math.max(left - fanout.client.settings().timeoutMargin().toNanos(), left / 2));
            DefaultFullHttpRequest request;
            try {
                request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                        target.metricPath().value(), Unpooled.EMPTY_BUFFER,
                        HeaderPolicy.instanceRequestHeaders(fanout.request.headers(), target.hostHeader(), timeoutDown,
                                fanout.request.accept()),
                        EmptyHttpHeaders.INSTANCE);
            } catch (IllegalArgumentException e) { // a header value Netty refuses: never send it
                fail(FailureReason.CONNECT, "cannot build the request for " + address + ": " + describe(e));
                return;
            }
            handler.begin(this);
            ch.writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess()) {
                    onConnectionLost(ch, w.cause());
                }
            });
        });
    }

    /** A part of the response on {@code ch}; runs on the connection's loop. */
    void onResponsePart(Channel ch, HttpObject part) {
        if (ch != channel || done.get()) {
            return;
        }
        if (part.decoderResult().isFailure()) {
            Throwable cause = part.decoderResult().cause();
            failAndClose(ch, reasonFor(cause), "invalid HTTP response from " + address + ": " + describe(cause));
            return;
        }
        if (part instanceof HttpResponse response) {
            responseStarted = true;
            int status = response.status().code();
            keepAlive = HttpUtil.isKeepAlive(response) && status != 101; // after 101 the bytes are not HTTP
            // 100 Continue, 103 Early Hints: the real answer follows on the same connection.
            informational = status >= 100 && status < 200 && status != 101;
            if (informational) {
                return;
            }
            if (status != 200) {
                errorAnswer = failure(FailureReason.http(status), "instance answered HTTP " + response.status()
                        + (status / 100 == 3 ? " (redirects are not followed)" : ""));
            } else {
                contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
                long length = HttpUtil.getContentLength(response, -1L);
                long max = fanout.client.settings().maxBodyBytes();
                if (length > max) {
                    failAndClose(ch, FailureReason.TOO_LARGE, "Content-Length " + length
                            + " exceeds the limit of " + max + " bytes");
                    return;
                }
                // Trust an announced length only up to a point: an instance announcing 50 MB and
                // sending nothing must not make the gateway hold 50 MB.
                body = new byte[0];
                if (!grow(ch, (int) Math.min(length >= 0 ? length : INITIAL_BODY_CAPACITY, MAX_PREALLOCATION))) {
                    return;
                }
            }
        }
        if (part instanceof HttpContent content) {
            if (informational) {
                informational = !(part instanceof LastHttpContent);
                return;
            }
            if (!collect(ch, content.content())) {
                return;
            }
            if (part instanceof LastHttpContent) {
                complete(ch);
            }
        }
    }

    /** Appends a decoded chunk; false (and the scrape failed) when the body would exceed the limit. */
    private boolean collect(Channel ch, ByteBuf chunk) {
        int n = chunk.readableBytes();
        if (n == 0) {
            return true;
        }
        if (errorAnswer != null) {
            discarded += n;
            if (discarded > MAX_DISCARDED_ERROR_BODY) {
                if (claim()) {
                    close(ch);
                    publish(errorAnswer);
                }
                return false;
            }
            return true;
        }
        long max = fanout.client.settings().maxBodyBytes();
        if ((long) size + n > max) {
            failAndClose(ch, FailureReason.TOO_LARGE, "body exceeds the limit of " + max
                    + " bytes after decompression");
            return false;
        }
        if (size + n > body.length
                && !grow(ch, (int) Math.min(max, Math.max((long) size + n, 2L * body.length)))) {
            return false;
        }
        chunk.getBytes(chunk.readerIndex(), body, size, n);
        size += n;
        fanout.client.metrics().decodedBytes(n);
        return true;
    }

    /** Enlarges the body array within the gateway's budget; false (and the scrape failed) when it does not fit. */
    private boolean grow(Channel ch, int capacity) {
        if (!hold.tryGrow(capacity - body.length)) {
            failAndClose(ch, FailureReason.TOO_LARGE, "the memory for instance bodies and merged output"
                    + " (scrape.max_buffered_bytes, " + fanout.client.budget().limit() + " bytes) is taken by other scrapes");
            return false; // also when the timer reported meanwhile: the hold was released, the growth undone
        }
        body = Arrays.copyOf(body, capacity);
        return true;
    }

    private void complete(Channel ch) {
        ScrapeOutcome<T> outcome;
        if (errorAnswer != null) {
            outcome = errorAnswer;
        } else {
            byte[] exact = size == body.length ? body : Arrays.copyOf(body, size);
            hold.shrink(body.length - size);
            outcome = new ScrapeOutcome.Success<>(target, exact, contentType, elapsed(), hold);
        }
        if (!claim()) {
            return; // the timer reported first and closed the connection
        }
        ResponseHandler handler = ch.pipeline().get(ResponseHandler.class);
        if (handler != null) {
            handler.end();
        }
        channel = null;
        if (keepAlive) {
            fanout.client.pool().release(address, ch); // before the slot is freed, so the next scrape finds it
        } else {
            close(ch);
        }
        publish(outcome);
    }

    /**
     * The connection failed or closed while this scrape owned it ({@code cause} null: closed).
     * Runs on the connection's loop.
     */
    void onConnectionLost(Channel ch, Throwable cause) {
        if (ch != channel || done.get()) {
            return;
        }
        channel = null;
        close(ch);
        if (reused && !responseStarted && !retried && System.nanoTime() < limitNanos) {
            retried = true;
            fanout.loop.execute(this::connect);
            return;
        }
        if (cause == null) {
            failIfCurrent(null, FailureReason.CONNECT, responseStarted
                    ? "instance closed the connection after " + size + " bytes of the body"
                    : "instance closed the connection before answering");
        } else {
            FailureReason reason = reasonFor(cause);
            String what = reason.equals(FailureReason.TLS) ? "TLS failure with " + address
                    : cause instanceof DecoderException ? "invalid response from " + address
                    : responseStarted ? "connection to " + address + " failed during the response"
                    : "connection to " + address + " failed before the response";
            failIfCurrent(null, reason, what + ": " + describe(cause));
        }
    }

    /** The per-instance timer or the fan-out deadline: reports the error answer being drained, else timeout. */
    void expire(String detail) {
        if (!claim()) {
            return;
        }
        Channel ch = channel;
        if (ch != null) {
            close(ch);
        }
        ScrapeOutcome.Failure<T> answered = errorAnswer;
        publish(answered != null ? answered : failure(FailureReason.TIMEOUT,
                started ? detail : detail + " while waiting for a connection slot"));
    }

    private void failIfCurrent(Channel ch, FailureReason reason, String detail) {
        if (ch != null && ch != channel) {
            return;
        }
        fail(reason, detail);
    }

    private void failAndClose(Channel ch, FailureReason reason, String detail) {
        if (claim()) {
            close(ch);
            publish(failure(reason, detail));
        }
    }

    private void fail(FailureReason reason, String detail) {
        if (claim()) {
            Channel ch = channel;
            if (ch != null) {
                close(ch);
            }
            publish(failure(reason, detail));
        }
    }

    /**
     * Closes a connection, also one that never got registered with an event loop (no file
     * descriptor left, say): Netty throws for those, and a scrape that throws while failing would
     * never report, keeping its slot for good.
     */
    private static void close(Channel ch) {
        if (ch.isRegistered()) {
            ch.close();
        } else {
            ch.unsafe().closeForcibly();
        }
    }

    private boolean claim() {
        return done.compareAndSet(false, true);
    }

    private void publish(ScrapeOutcome<T> outcome) {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        if (!(outcome instanceof ScrapeOutcome.Success<T>)) {
            hold.release(); // a success hands its hold on to whoever merges the body
        }
        fanout.client.metrics().finished(outcome);
        fanout.client.slots().release(this);
        fanout.completed(index, outcome);
    }

    private ScrapeOutcome.Failure<T> failure(FailureReason reason, String detail) {
        return new ScrapeOutcome.Failure<>(target, reason, detail, elapsed());
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - fanout.startNanos);
    }

    static FailureReason reasonFor(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return FailureReason.TLS;
            }
            if (t instanceof ConnectTimeoutException) {
                return FailureReason.TIMEOUT;
            }
            if (t instanceof TooLongFrameException) {
                return FailureReason.TOO_LARGE;
            }
        }
        return FailureReason.CONNECT;
    }

    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
