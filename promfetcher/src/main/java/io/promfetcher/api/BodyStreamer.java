package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link StreamedBody} after its response headers: parts are made on the body's
 * executor, go out in {@value #CHUNK}-byte HTTP chunks (gzip applied through one compressor for
 * the whole body, when the caller accepts it, flushed a window at a time), and the next part is
 * made only while less than {@value #WINDOW} bytes wait for the socket. A caller that reads slowly parks its body, holding
 * no thread; the writes it completes wake it. So a request holds its bodies plus a window of its
 * output, not the whole output.
 *
 * <p>One compressor per response, fed by the writer's 8 KiB pieces and drained into 64 KiB
 * chunks without flushing in between: a flush per chunk, as a per-chunk encoder does, costs up
 * to 2.8 times the CPU and 6-7 % more bytes (docs/benchmarks.md, "Compression measured").
 */
final class BodyStreamer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(BodyStreamer.class);
    /** Bytes per HTTP chunk. */
    static final int CHUNK = 64 * 1024;
    /**
     * Bytes written to the channel and not yet sent, beyond which no part is made. Two chunks:
     * with four, 64 callers of a 20-instance app at -Xmx256m lost 4,472 instances to the memory
     * budget instead of 2,642, for no measurable speed (docs/benchmarks.md, "Streamed output").
     */
    static final int WINDOW = 2 * CHUNK;

    private final ChannelHandlerContext ctx;
    private final StreamedBody body;
    private final Chunks chunks = new Chunks();
    private final OutputStream out;
    private final Gzip gzip;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicBoolean parked = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Throwable failure;
    /** Told once, on the event loop: whether the whole body was sent, and its bytes on the wire. */
    private final BiConsumer<Boolean, Long> finished;
    private long sent;

    /**
     * @param gzipLevel 1-9 to compress, 0 not to
     * @param finished  told once whether the whole body was sent, and how many bytes went out
     */
    BodyStreamer(ChannelHandlerContext ctx, StreamedBody body, int gzipLevel, BiConsumer<Boolean, Long> finished) {
        this.ctx = ctx;
        this.body = body;
        this.finished = finished;
        Gzip g = null;
        if (gzipLevel > 0) {
            try {
                g = new Gzip(chunks, gzipLevel);
            } catch (IOException e) { // writes the header to the chunk buffer: cannot fail
                throw new IllegalStateException(e);
            }
        }
        this.gzip = g;
        this.out = g != null ? g : chunks;
    }

    /** Starts making and sending parts (after the response headers were written). */
    void start() {
        schedule();
    }

    private void schedule() {
        try {
            body.executor().execute(this);
        } catch (RejectedExecutionException e) { // shutting down
            failure = e;
            abandon();
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                if (failure != null) {
                    abandon();
                    return;
                }
                if (inFlight.get() >= WINDOW) {
                    flush(); // what waits must be on its way before this body waits for it
                    parked.set(true);
                    // A write may have completed since the test: whoever clears the flag runs on.
                    if (inFlight.get() >= WINDOW || !parked.compareAndSet(true, false)) {
                        return;
                    }
                    continue;
                }
                if (!body.writeNext(out)) {
                    end();
                    return;
                }
            }
        } catch (IOException e) { // the connection failed
            failure = e;
            abandon();
        } catch (RuntimeException e) { // a defect: the answer is cut short, the caller sees a broken body
            LOG.error("cannot write a streamed answer; closing the connection", e);
            failure = e;
            abandon();
        }
    }

    /** Everything is written: the compressor's end, the last chunk, the end of the body. */
    private void end() throws IOException {
        if (gzip != null) {
            gzip.close(); // the trailer, and the compressor's native memory given back
        }
        chunks.emit();
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
            if (ended.compareAndSet(false, true)) {
                body.close(f.isSuccess());
                finished.accept(f.isSuccess(), sent);
            }
        });
    }

    /** The body will not be finished: its memory is given back and the connection closed (the caller must see it cut). */
    private void abandon() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (gzip != null) {
            gzip.abandon();
        }
        chunks.discard();
        try {
            body.close(false);
        } finally {
            ctx.executor().execute(() -> {
                ctx.close();
                finished.accept(false, sent);
            });
        }
    }

    private void written(int bytes, ChannelFuture f) {
        if (!f.isSuccess() && failure == null) {
            failure = f.cause();
        }
        long left = inFlight.addAndGet(-bytes);
        if ((left < WINDOW || failure != null) && parked.compareAndSet(true, false)) {
            schedule();
        }
    }

    /** Whether an {@code Accept-Encoding} value accepts gzip (by name or {@code *}, with a q-value above 0). */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        boolean gzip = false;
        boolean gzipNamed = false;
        boolean any = false;
        for (String item : acceptEncoding.split(",")) {
            String[] parts = item.split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            boolean accepted = true;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    try {
                        accepted = Double.parseDouble(p.substring(2).trim()) > 0;
                    } catch (NumberFormatException e) {
                        accepted = false;
                    }
                }
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzipNamed = true;
                gzip |= accepted;
            } else if (coding.equals("*")) {
                any = accepted;
            }
        }
        return gzipNamed ? gzip : any;
    }

    private void flush() {
        if (chunks.unflushed) {
            chunks.unflushed = false;
            ctx.flush();
        }
    }

    /** The output cut into chunks of {@value #CHUNK} bytes, each written to the channel when full. */
    private final class Chunks extends OutputStream {
        private ByteBuf current;
        private boolean unflushed;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (current == null) {
                    current = ctx.alloc().buffer(CHUNK, CHUNK);
                }
                int n = Math.min(len, current.writableBytes());
                current.writeBytes(b, off, n);
                off += n;
                len -= n;
                if (!current.isWritable()) {
                    emit();
                }
            }
        }

        /** Writes what is buffered as one chunk. */
        void emit() {
            ByteBuf chunk = current;
            current = null;
            if (chunk == null) {
                return;
            }
            int bytes = chunk.readableBytes();
            if (bytes == 0) {
                chunk.release();
                return;
            }
            inFlight.addAndGet(bytes);
            sent += bytes;
            // Written without a flush: off the event loop a write is queued without waking it,
            // a flush wakes it. One flush per window, not per chunk, saves a wake-up and a
            // system call per 64 KiB (measured: per-chunk flushes cost a fifth of the throughput).
            ctx.write(new DefaultHttpContent(chunk)).addListener(f -> written(bytes, (ChannelFuture) f));
            unflushed = true;
        }

        void discard() {
            if (current != null) {
                current.release();
                current = null;
            }
        }

        @Override
        public void close() {
            // The streamer ends the body itself (end()): closing the compressor must not.
        }
    }

    /** gzip at the configured level, releasing its native memory also when abandoned. */
    private static final class Gzip extends GZIPOutputStream {
        Gzip(OutputStream out, int level) throws IOException {
            super(out, CHUNK);
            def.setLevel(level);
        }

        void abandon() {
            def.end();
        }
    }
}
