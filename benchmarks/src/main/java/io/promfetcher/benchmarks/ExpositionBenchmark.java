package io.promfetcher.benchmarks;

import io.promfetcher.exposition.ExpositionMerger;
import io.promfetcher.exposition.InstanceScrape;
import io.promfetcher.exposition.MergeReport;
import io.promfetcher.exposition.OutputFormat;
import io.promfetcher.exposition.ScrapeStatus;
import io.promfetcher.exposition.TargetLabels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parse → merge → write of the exposition engine, beside a baseline that only scans the same
 * bytes for line ends (the single-pass limit), in the same run. Inputs: 10 instances of each
 * corpus file (../shared/corpus, or -Dcorpus.dir=...), and one synthetic 10 MB exposition in each
 * format, and a synthetic client_java protobuf answer with native histograms. Text input is written
 * as text 0.0.4, OpenMetrics input as OpenMetrics 1.0.0, protobuf as protobuf. Throughput
 * is in operations per second; one operation handles {@link #inputBytes} bytes of input.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
public class ExpositionBenchmark {

    @Param({"node-exporter-1.5.txt", "prometheus-2.42.txt", "python-client-0.16.txt", "python-client-0.16.om.txt",
            "synthetic-10MB.txt", "synthetic-10MB.om.txt", "synthetic-native.pb"})
    public String input;

    private List<InstanceScrape> scrapes;
    private OutputFormat output;
    private byte[][] bodies;
    public long inputBytes;
    private final OutputStream sink = new DiscardingStream();

    @Setup(Level.Trial)
    public void load() throws IOException {
        boolean om = input.endsWith(".om.txt");
        boolean protobuf = input.endsWith(".pb");
        String contentType = protobuf
                ? "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
                : om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
        output = protobuf ? OutputFormat.protobuf(io.promfetcher.exposition.EscapingScheme.UNDERSCORES)
                : om ? OutputFormat.OPENMETRICS_1_0_0 : OutputFormat.TEXT_0_0_4;
        List<byte[]> list = new ArrayList<>();
        if (protobuf) {
            byte[] body = syntheticProtobuf();
            for (int i = 0; i < 10; i++) {
                list.add(body.clone());
            }
        } else if (input.startsWith("synthetic")) {
            list.add(synthetic(10 << 20, om));
        } else {
            byte[] body = Files.readAllBytes(Path.of(System.getProperty("corpus.dir", "../shared/corpus"), input));
            for (int i = 0; i < 10; i++) {
                list.add(body.clone());
            }
        }
        bodies = list.toArray(new byte[0][]);
        scrapes = instances(bodies, contentType);
        for (byte[] body : bodies) {
            inputBytes += body.length;
        }
        MergeReport report = ExpositionMerger.merge(scrapes, output, ScrapeStatus.INCLUDED, sink);
        int samples = report.instances().stream().mapToInt(MergeReport.InstanceOutcome::samples).sum();
        System.out.printf("%n%s: %d bytes of input, %d samples per operation%n", input, inputBytes, samples);
    }

    /** Parse, merge and write, scrape status included (what /metrics does). */
    @Benchmark
    public MergeReport merge() throws IOException {
        return ExpositionMerger.merge(scrapes, output, ScrapeStatus.INCLUDED, sink);
    }

    /** Baseline: find every line end of the same bodies, and nothing else. */
    @Benchmark
    public int lineScan() {
        int lines = 0;
        for (byte[] body : bodies) {
            for (byte b : body) {
                if (b == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    /** One scrape per body, as instances 0, 1, … of one app (labels of realistic length). */
    static List<InstanceScrape> instances(byte[][] bodies, String contentType) {
        List<InstanceScrape> scrapes = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            TargetLabels target = new TargetLabels("3f5b2a64-9c1d-4e5f-8a7b-0c1d2e3f4a5b", "my-org",
                    "0645c1f2-3d4e-5f60-7182-93a4b5c6d7e8", "dev", "6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70", "my-app",
                    Integer.toString(i), Integer.toString(i), "10.0.1." + (10 + i) + ":61012");
            scrapes.add(new InstanceScrape.Body(target, bodies[i], contentType, Duration.ofMillis(12)));
        }
        return scrapes;
    }

    /**
     * A client_java app's protobuf answer (about 100 KB): counters, gauges and native histograms
     * (with their classic buckets) over 20 label values each, written by client_java itself.
     */
    static byte[] syntheticProtobuf() throws IOException {
        io.prometheus.metrics.model.registry.PrometheusRegistry registry = new io.prometheus.metrics.model.registry.PrometheusRegistry();
        java.util.Random random = new java.util.Random(42);
        for (int f = 0; f < 30; f++) {
            var counter = io.prometheus.metrics.core.metrics.Counter.builder().name("app_requests_" + f)
                    .help("Requests handled.").labelNames("route", "status").register(registry);
            var gauge = io.prometheus.metrics.core.metrics.Gauge.builder().name("app_queue_" + f)
                    .help("Items queued.").labelNames("queue").register(registry);
            var histogram = io.prometheus.metrics.core.metrics.Histogram.builder().name("app_latency_seconds_" + f)
                    .help("Request latency.").labelNames("route").register(registry);
            for (int s = 0; s < 20; s++) {
                counter.labelValues("/api/v1/items/" + s, "200").inc(1000 + s * 7);
                gauge.labelValues("queue-" + s).set(s * 1.5);
                if (s < 4) {
                    for (int o = 0; o < 200; o++) {
                        histogram.labelValues("/r" + s).observe(random.nextDouble() * 2);
                    }
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new io.prometheus.metrics.expositionformats.PrometheusProtobufWriter().write(out, registry.scrape());
        return out.toByteArray();
    }

    /** A large app's exposition: counters, gauges and histograms with a few labels each. */
    static byte[] synthetic(int size, boolean om) {
        StringBuilder b = new StringBuilder(size + 4096);
        int family = 0;
        while (b.length() < size) {
            String name = "app_metric_" + family;
            switch (family % 3) {
                case 0 -> {
                    b.append("# HELP ").append(name).append(" Requests handled, by route and status.\n");
                    b.append("# TYPE ").append(name).append(om ? " counter\n" : "_total counter\n");
                    for (int s = 0; s < 20; s++) {
                        b.append(name).append("_total{route=\"/api/v1/items/").append(s)
                                .append("\",method=\"GET\",status=\"200\"} ").append(1000 + s * 7).append('\n');
                    }
                }
                case 1 -> {
                    b.append("# HELP ").append(name).append(" Items in the queue.\n");
                    b.append("# TYPE ").append(name).append(" gauge\n");
                    for (int s = 0; s < 20; s++) {
                        b.append(name).append("{queue=\"queue-").append(s).append("\",shard=\"").append(s % 4)
                                .append("\"} ").append(s * 1.5).append('\n');
                    }
                }
                default -> {
                    b.append("# HELP ").append(name).append(" Request latency.\n");
                    b.append("# TYPE ").append(name).append(" histogram\n");
                    for (int s = 0; s < 2; s++) {
                        String[] les = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};
                        for (int l = 0; l < les.length; l++) {
                            b.append(name).append("_bucket{route=\"/r").append(s).append("\",le=\"").append(les[l])
                                    .append("\"} ").append(l * 3).append('\n');
                        }
                        b.append(name).append("_sum{route=\"/r").append(s).append("\"} 12.5\n");
                        b.append(name).append("_count{route=\"/r").append(s).append("\"} 27\n");
                    }
                }
            }
            family++;
        }
        if (om) {
            b.append("# EOF\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Where the output goes: counted and discarded, so the benchmark measures the engine. */
    static final class DiscardingStream extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
