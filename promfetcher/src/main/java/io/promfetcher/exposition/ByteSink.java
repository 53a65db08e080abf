package io.promfetcher.exposition;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A buffer in front of the caller's stream, so the writer can emit small pieces cheaply. The
 * buffer is the thread's, borrowed for one step of writing ({@link #begin} … {@link #end}): a
 * merge written in steps may move between threads, and other merges use the thread in between.
 */
final class ByteSink {
    /** One buffer per thread, lent to one step at a time (steps do not nest). */
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[1 << 13]);

    private final OutputStream out;
    private byte[] buf;
    private int n;

    ByteSink(OutputStream out) {
        this.out = out;
    }

    /** Borrows this thread's buffer for one step. */
    void begin() {
        buf = BUFFERS.get();
        n = 0;
    }

    /** Ends a step: what the buffer holds goes to the stream, and the buffer back to the thread. */
    void end() throws IOException {
        try {
            flush();
        } finally {
            buf = null;
            n = 0;
        }
    }

    void write(byte b) throws IOException {
        if (n == buf.length) {
            flush();
        }
        buf[n++] = b;
    }

    void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - n) {
            flush();
            if (len > buf.length) {
                out.write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, n, len);
        n += len;
    }

    void ascii(String s) throws IOException {
        int len = s.length();
        if (len > buf.length - n) {
            flush();
            if (len > buf.length) {
                write(s.getBytes(StandardCharsets.US_ASCII));
                return;
            }
        }
        for (int i = 0; i < len; i++) {
            buf[n++] = (byte) s.charAt(i);
        }
    }

    /** Writes a string as UTF-8; ASCII (nearly always) without allocating. */
    void utf8(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                write(s.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        ascii(s);
    }

    /** A stream view of this sink, for writers that serialize through a stream (protobuf). */
    OutputStream asStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                ByteSink.this.write((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteSink.this.write(b, off, len);
            }
        };
    }

    void flush() throws IOException {
        if (n > 0) {
            out.write(buf, 0, n);
            n = 0;
        }
    }
}
