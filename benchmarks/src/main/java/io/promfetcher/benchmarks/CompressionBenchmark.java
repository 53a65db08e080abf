package io.promfetcher.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.JZlibEncoder;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.promfetcher.exposition.ExpositionMerger;
import io.promfetcher.exposition.OutputFormat;
import io.promfetcher.exposition.ScrapeStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * gzip of the gateway's real merged output (10 instances of a corpus file merged by
 * {@link ExpositionMerger} into OpenMetrics, what Prometheus gets), by every way available here
 * to produce a body Prometheus accepts. Prometheus 2.42 sends {@code Accept-Encoding: gzip} and
 * nothing else, so Brotli and zstd (both in Netty) could never be used and are not measured.
 * Every codec makes a fresh compressor per body, as HttpContentCompressor does per response.
 * Time per body is CPU time for the single-threaded codecs; {@link Codec#PARALLEL_MEMBERS_L1}
 * is wall time on two threads (its CPU time is {@link Codec#MEMBERS_L1}'s). Run it through
 * {@link CompressionReport}, which adds output sizes and CPU per byte saved.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CompressionBenchmark {
    /** A way to gzip a body. */
    public enum Codec {
        /** What the gateway does today: HttpContentCompressor → JdkZlibEncoder, level 1, the whole body in one write. */
        NETTY_JDKZLIB_L1 { byte[] gzip(byte[] in) { return netty(new JdkZlibEncoder(ZlibWrapper.GZIP, 1), in, in.length); } },
        /** The same encoder fed 16 KiB writes: what a streamed answer (issue 13 item 2) would do. */
        NETTY_JDKZLIB_L1_16K_WRITES { byte[] gzip(byte[] in) { return netty(new JdkZlibEncoder(ZlibWrapper.GZIP, 1), in, 16 << 10); } },
        /** The same encoder fed 64 KiB writes. */
        NETTY_JDKZLIB_L1_64K_WRITES { byte[] gzip(byte[] in) { return netty(new JdkZlibEncoder(ZlibWrapper.GZIP, 1), in, 64 << 10); } },
        /** Netty's pure-Java zlib port (JZlib), level 1. */
        NETTY_JZLIB_L1 { byte[] gzip(byte[] in) { return netty(new JZlibEncoder(ZlibWrapper.GZIP, 1, 15, 8), in, in.length); } },
        /** java.util.zip.Deflater directly, level 1, 8 KiB input and output buffers (GZIPOutputStream's size class). */
        DEFLATER_L1_8K { byte[] gzip(byte[] in) { return deflate(in, 1, Deflater.DEFAULT_STRATEGY, 8 << 10); } },
        /** Level 1 with 64 KiB buffers. */
        DEFLATER_L1_64K { byte[] gzip(byte[] in) { return deflate(in, 1, Deflater.DEFAULT_STRATEGY, 64 << 10); } },
        /** Level 1 with 256 KiB buffers. */
        DEFLATER_L1_256K { byte[] gzip(byte[] in) { return deflate(in, 1, Deflater.DEFAULT_STRATEGY, 256 << 10); } },
        DEFLATER_L2_64K { byte[] gzip(byte[] in) { return deflate(in, 2, Deflater.DEFAULT_STRATEGY, 64 << 10); } },
        DEFLATER_L3_64K { byte[] gzip(byte[] in) { return deflate(in, 3, Deflater.DEFAULT_STRATEGY, 64 << 10); } },
        /** Level 6, Netty's and zlib's default, for scale. */
        DEFLATER_L6_64K { byte[] gzip(byte[] in) { return deflate(in, 6, Deflater.DEFAULT_STRATEGY, 64 << 10); } },
        /** Huffman coding only, no string matching: the cheapest deflate there is. */
        DEFLATER_HUFFMAN_ONLY_64K { byte[] gzip(byte[] in) { return deflate(in, 1, Deflater.HUFFMAN_ONLY, 64 << 10); } },
        /** Two independent gzip members, one after the other (valid gzip: Go's reader reads multi-member streams). */
        MEMBERS_L1 { byte[] gzip(byte[] in) { return members(in, 2, false); } },
        /** The same two members compressed at once on two threads. */
        PARALLEL_MEMBERS_L1 { byte[] gzip(byte[] in) { return members(in, 2, true); } };

        abstract byte[] gzip(byte[] in);
    }

    private static final ExecutorService POOL = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "gzip-member");
        t.setDaemon(true);
        return t;
    });

    @Param({"node-exporter-1.5.txt", "prometheus-2.42.txt", "python-client-0.16.txt"})
    public String input;

    @Param
    public Codec codec;

    private byte[] merged;

    @Setup(Level.Trial)
    public void merge() throws IOException {
        merged = mergedOutput(input);
    }

    @TearDown(Level.Trial)
    public void report() {
        System.out.printf("%n%s %s: %d bytes -> %d bytes%n", input, codec, merged.length, codec.gzip(merged).length);
    }

    @Benchmark
    public byte[] gzip() {
        return codec.gzip(merged);
    }

    /** The gateway's answer to Prometheus for an app of 10 instances serving {@code corpusFile}, uncompressed. */
    static byte[] mergedOutput(String corpusFile) throws IOException {
        byte[] body = Files.readAllBytes(Path.of(System.getProperty("corpus.dir", "../shared/corpus"), corpusFile));
        byte[][] bodies = new byte[10][];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 30);
        ExpositionMerger.merge(ExpositionBenchmark.instances(bodies, "text/plain; version=0.0.4; charset=utf-8"),
                OutputFormat.OPENMETRICS_1_0_0, ScrapeStatus.INCLUDED, out);
        return out.toByteArray();
    }

    static byte[] netty(io.netty.handler.codec.MessageToByteEncoder<ByteBuf> encoder, byte[] in, int writeSize) {
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        for (int at = 0; at < in.length; at += writeSize) {
            channel.writeOutbound(Unpooled.wrappedBuffer(in, at, Math.min(writeSize, in.length - at)));
        }
        channel.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 4);
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            out.writeBytes(bytes);
            b.release();
        }
        return out.toByteArray();
    }

    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    /** One gzip member: header, raw deflate fed {@code buffer} bytes at a time, CRC-32 and length. */
    static byte[] deflate(byte[] in, int level, int strategy, int buffer) {
        return deflate(in, 0, in.length, level, strategy, buffer);
    }

    static byte[] deflate(byte[] in, int from, int to, int level, int strategy, int buffer) {
        Deflater deflater = new Deflater(level, true);
        deflater.setStrategy(strategy);
        CRC32 crc = new CRC32();
        crc.update(in, from, to - from);
        ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) / 4 + 64);
        out.writeBytes(GZIP_HEADER);
        byte[] chunk = new byte[buffer];
        for (int at = from; at < to; at += buffer) {
            deflater.setInput(in, at, Math.min(buffer, to - at));
            while (!deflater.needsInput()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            out.write(chunk, 0, deflater.deflate(chunk));
        }
        deflater.end();
        int crcValue = (int) crc.getValue();
        int size = to - from;
        out.writeBytes(new byte[] {(byte) crcValue, (byte) (crcValue >> 8), (byte) (crcValue >> 16), (byte) (crcValue >> 24),
                (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)});
        return out.toByteArray();
    }

    /** {@code parts} gzip members of about equal size, cut at line ends, compressed in turn or at once. */
    static byte[] members(byte[] in, int parts, boolean parallel) {
        List<int[]> ranges = new ArrayList<>();
        int from = 0;
        for (int p = 1; p <= parts; p++) {
            int to = p == parts ? in.length : Math.max(from, lineEndAfter(in, (int) ((long) in.length * p / parts)));
            ranges.add(new int[] {from, to});
            from = to;
        }
        List<byte[]> compressed = new ArrayList<>();
        if (parallel) {
            List<Future<byte[]>> futures = new ArrayList<>();
            for (int[] r : ranges) {
                futures.add(POOL.submit(() -> deflate(in, r[0], r[1], 1, Deflater.DEFAULT_STRATEGY, 64 << 10)));
            }
            for (Future<byte[]> f : futures) {
                try {
                    compressed.add(f.get());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        } else {
            for (int[] r : ranges) {
                compressed.add(deflate(in, r[0], r[1], 1, Deflater.DEFAULT_STRATEGY, 64 << 10));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 4);
        compressed.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static int lineEndAfter(byte[] in, int at) {
        for (int i = at; i < in.length; i++) {
            if (in[i] == '\n') {
                return i + 1;
            }
        }
        return in.length;
    }
}
