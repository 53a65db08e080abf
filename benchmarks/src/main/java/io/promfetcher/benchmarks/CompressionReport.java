package io.promfetcher.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link CompressionBenchmark} and prints, per input and codec, the time per body, the
 * output size, and what decides: CPU nanoseconds per byte saved (time ÷ (input − output)),
 * beside today's codec ({@code NETTY_JDKZLIB_L1}) measured in the same run.
 *
 * <pre>java -Dcorpus.dir=../shared/corpus -cp benchmarks/target/benchmarks.jar io.promfetcher.benchmarks.CompressionReport [input ...]</pre>
 */
public final class CompressionReport {
    private CompressionReport() {}

    public static void main(String[] args) throws Exception {
        OptionsBuilder options = new OptionsBuilder();
        options.include(CompressionBenchmark.class.getSimpleName());
        if (args.length > 0) {
            options.param("input", args);
        }
        String corpus = System.getProperty("corpus.dir", "../shared/corpus");
        Options built = options.jvmArgsAppend("-Dcorpus.dir=" + corpus).build();
        Collection<RunResult> results = new Runner(built).run();

        Map<String, Map<String, Double>> micros = new HashMap<>();
        List<String> inputs = new ArrayList<>();
        for (RunResult r : results) {
            String input = r.getParams().getParam("input");
            if (!inputs.contains(input)) {
                inputs.add(input);
            }
            micros.computeIfAbsent(input, k -> new HashMap<>()).put(r.getParams().getParam("codec"), r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("| input (merged, 10 instances) | codec | µs per body | output bytes | ratio | **CPU ns per byte saved** | vs today (NETTY_JDKZLIB_L1) |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String input : inputs) {
            byte[] merged = CompressionBenchmark.mergedOutput(input);
            Map<String, Double> byCodec = micros.get(input);
            double today = nsPerByteSaved(byCodec.get("NETTY_JDKZLIB_L1"), merged.length,
                    CompressionBenchmark.Codec.NETTY_JDKZLIB_L1.gzip(merged).length);
            for (CompressionBenchmark.Codec codec : CompressionBenchmark.Codec.values()) {
                Double us = byCodec.get(codec.name());
                if (us == null) {
                    continue;
                }
                int out = codec.gzip(merged).length;
                double perByte = nsPerByteSaved(us, merged.length, out);
                System.out.printf(Locale.ROOT, "| %s (%d B) | %s | %.0f%s | %d | %.2f× | %.2f | %.2f× |%n", input, merged.length, codec, us,
                        codec == CompressionBenchmark.Codec.PARALLEL_MEMBERS_L1 ? " (wall, 2 threads)" : "",
                        out, (double) merged.length / out, perByte, perByte / today);
            }
        }
    }

    private static double nsPerByteSaved(double micros, int in, int out) {
        return micros * 1000 / (in - out);
    }
}
