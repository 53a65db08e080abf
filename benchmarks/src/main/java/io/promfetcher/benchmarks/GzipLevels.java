package io.promfetcher.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * What each gzip level costs on an exposition: time, output size and throughput of
 * {@link Deflater} (what Netty's HttpContentCompressor uses) on ten copies of a file, the best
 * of 30 runs per level, all in one run so the levels compare.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.promfetcher.benchmarks.GzipLevels [file]</pre>
 */
public final class GzipLevels {
    private GzipLevels() {}

    public static void main(String[] args) throws Exception {
        byte[] one = Files.readAllBytes(Path.of(args.length > 0 ? args[0] : "../shared/corpus/node-exporter-1.5.txt"));
        byte[] in = new byte[one.length * 10];
        for (int i = 0; i < 10; i++) {
            System.arraycopy(one, 0, in, i * one.length, one.length);
        }
        byte[] out = new byte[in.length + 1024];
        System.out.println("| level | time | output | ratio | throughput |");
        System.out.println("|---|---|---|---|---|");
        for (int level : new int[] {1, 3, 6, 9}) {
            long best = Long.MAX_VALUE;
            int size = 0;
            for (int run = 0; run < 30; run++) {
                Deflater deflater = new Deflater(level, true);
                deflater.setInput(in);
                deflater.finish();
                long start = System.nanoTime();
                int n = 0;
                while (!deflater.finished()) {
                    n += deflater.deflate(out, n, out.length - n);
                }
                best = Math.min(best, System.nanoTime() - start);
                deflater.end();
                size = n;
            }
            System.out.printf(Locale.ROOT, "| %d | %.1f ms | %d KB | %.1f× | %.0f MB/s |%n", level, best / 1e6,
                    size / 1024, (double) in.length / size, in.length / 1e6 / (best / 1e9));
        }
    }
}
