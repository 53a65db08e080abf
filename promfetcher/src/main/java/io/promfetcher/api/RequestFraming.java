package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * First handler of every connection, in front of Netty's HTTP decoder: finds where each request
 * starts and ends in the raw bytes (its head, then a body of {@code Content-Length} bytes) to
 * enforce what the decoder does not:
 * <ul>
 *   <li>a deadline for receiving each request, from its first byte to its last
 *       ({@code http.header_timeout}): a client dripping a header byte every few seconds gets 408
 *       and is closed instead of holding the connection for ever. The clock does not run while the
 *       previous request on the connection is still being answered;</li>
 *   <li>no obs-fold (a header line starting with a space or tab): RFC 9112 §5.2 lets a server
 *       refuse it with 400, and Netty's decoder would instead silently join it to the header
 *       before, a classic way of making two parsers disagree about a request;</li>
 *   <li>no {@code Transfer-Encoding} on requests (411): API requests are small and sent with a
 *       length, and a body framed two ways is how requests are smuggled.</li>
 * </ul>
 * The bytes pass on unchanged; syntax and size limits stay the decoder's job (a head too large
 * for {@code http.max_header_size} is left to it, and then the connection is closed). Confined
 * to the connection's event loop.
 */
final class RequestFraming extends ChannelInboundHandlerAdapter {
    private enum State { HEAD, BODY, REJECTED, UNFRAMED }

    private final long timeoutNanos;
    private final int maxHead;
    private final BooleanSupplier answering;
    private final Consumer<String> rejected;
    private State state = State.HEAD;
    private byte[] head = new byte[512];
    private int headLength;
    private boolean requestStarted;
    private long bodyLeft;
    private ScheduledFuture<?> deadline;

    /**
     * @param timeout   time to receive one whole request
     * @param maxHead   the decoder's limit for the request line plus headers
     * @param answering true while a request of this connection is being answered
     * @param rejected  told the reason ({@code header_timeout}, {@code obs_fold},
     *                  {@code transfer_encoding}) of each request refused here
     */
    RequestFraming(Duration timeout, int maxHead, BooleanSupplier answering, Consumer<String> rejected) {
        this.timeoutNanos = timeout.toNanos();
        this.maxHead = maxHead;
        this.answering = answering;
        this.rejected = rejected;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.REJECTED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int i = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (i < end && state != State.REJECTED && state != State.UNFRAMED) {
            if (state == State.BODY) {
                int n = (int) Math.min(bodyLeft, end - i);
                i += n;
                bodyLeft -= n;
                if (bodyLeft == 0) {
                    requestReceived();
                }
                continue;
            }
            byte b = bytes.getByte(i++);
            if (!requestStarted) {
                if (b == '\r' || b == '\n') {
                    continue; // empty lines before a request line are ignored (RFC 9112 §2.2), as the decoder does
                }
                requestStarted = true;
                deadline = ctx.executor().schedule(() -> expired(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
            }
            if (headLength == maxHead) {
                state = State.UNFRAMED; // too large: the decoder answers 431 or 414 and the connection closes
                break;
            }
            if (headLength == head.length) {
                head = java.util.Arrays.copyOf(head, Math.min(maxHead, head.length * 2));
            }
            head[headLength++] = b;
            if (b == '\n' && headEnded()) {
                endOfHead(ctx);
            }
        }
        if (state == State.REJECTED) {
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** An empty line just ended: "\n\n" or "\r\n\r\n" at the end of what was collected. */
    private boolean headEnded() {
        int n = headLength;
        return (n >= 2 && head[n - 2] == '\n') || (n >= 3 && head[n - 2] == '\r' && head[n - 3] == '\n');
    }

    private void endOfHead(ChannelHandlerContext ctx) {
        String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        long contentLength = 0;
        for (int l = 1; l < lines.length; l++) {
            String line = lines[l];
            if (line.isEmpty()) {
                break;
            }
            char first = line.charAt(0);
            if (first == ' ' || first == '\t') {
                reject(ctx, "obs_fold", 400, "Bad Request",
                        "a header line starts with a space or tab (obs-fold); send each header on one line");
                return;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue; // the decoder refuses it
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("transfer-encoding")) {
                reject(ctx, "transfer_encoding", 411, "Length Required",
                        "request bodies must be sent with Content-Length, not Transfer-Encoding");
                return;
            }
            if (name.equals("content-length")) {
                long length = digits(value);
                if (length < 0 || (contentLength > 0 && length != contentLength)) {
                    state = State.UNFRAMED; // the decoder refuses it
                    return;
                }
                contentLength = length;
            }
        }
        headLength = 0;
        if (head.length > 4096) {
            head = new byte[512]; // a one-off large head does not stay with the connection
        }
        if (contentLength > 0) {
            state = State.BODY;
            bodyLeft = contentLength;
        } else {
            requestReceived();
        }
    }

    private static long digits(String value) {
        if (value.isEmpty() || value.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private void requestReceived() {
        state = State.HEAD;
        requestStarted = false;
        cancelDeadline();
    }

    private void expired(ChannelHandlerContext ctx) {
        if (state == State.REJECTED || !requestStarted) {
            return;
        }
        if (answering.getAsBoolean()) { // pipelined behind a request still being answered: wait for it
            deadline = ctx.executor().schedule(() -> expired(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
            return;
        }
        reject(ctx, "header_timeout", 408, "Request Timeout", "the request was not received within http.header_timeout");
    }

    /**
     * Answers straight on the socket (the decoder and encoder behind us are mid-request) and
     * closes; nothing more is read from the connection.
     */
    private void reject(ChannelHandlerContext ctx, String reason, int status, String phrase, String message) {
        state = State.REJECTED;
        cancelDeadline();
        rejected.accept(reason);
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 " + status + " " + phrase + "\r\nContent-Type: " + Reply.TEXT
                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        ByteBuf out = Unpooled.buffer(response.length() + body.length);
        out.writeBytes(response.getBytes(StandardCharsets.ISO_8859_1)).writeBytes(body);
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }
}
