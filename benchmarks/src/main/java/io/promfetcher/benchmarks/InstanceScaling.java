package io.promfetcher.benchmarks;

import io.promfetcher.testkit.NatsServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * CPU per merged sample as one app grows: apps of 1, 10, 100 and 500 instances (by default)
 * announced together on a real nats-server, served by one nginx ({@link InstanceFarm}), each
 * scraped in turn through the gateway jar for a fixed time by two callers back to back, as
 * Prometheus asks (OpenMetrics preferred, gzip). The gateway's CPU seconds ({@code /proc}) over
 * the samples it merged, per size; the ratio to the 10-instance app is the figure (goal: at 500
 * within 1.5×). Prints Markdown for docs/benchmarks.md.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.promfetcher.benchmarks.InstanceScaling [key=value ...]
 *   sizes=1,10,100,500 seconds=15 warmup=8 callers=2 body=../shared/corpus/python-client-0.16.txt heap=512m
 *   smoke (sizes 1 and 3, one second each: what InstanceScalingIT runs)
 * </pre>
 */
public final class InstanceScaling {
    /** One app size's figures. */
    record Row(int instances, long requests, long failed, long samplesPerAnswer, double gatewayCpuSeconds, double seconds,
               double p50, double p99) {
        double cpuMicrosPerSample() {
            return gatewayCpuSeconds * 1e6 / (requests * (double) samplesPerAnswer);
        }
    }

    private InstanceScaling() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        boolean smoke = a.containsKey("smoke");
        if (smoke) {
            print(smoke(), Path.of("python-client-0.16.txt"));
            return;
        }
        List<Integer> sizes = Arrays.stream(a.getOrDefault("sizes", "1,10,100,500").split(","))
                .map(Integer::parseInt).toList();
        Path body = Path.of(a.getOrDefault("body", System.getProperty("corpus.dir", "../shared/corpus") + "/python-client-0.16.txt"));
        List<Row> rows = run(sizes, body, Integer.parseInt(a.getOrDefault("seconds", "15")),
                Integer.parseInt(a.getOrDefault("warmup", "8")), Integer.parseInt(a.getOrDefault("callers", "2")),
                a.getOrDefault("heap", "512m"));
        print(rows, body);
    }

    /** The smoke mode's rows (sizes 1 and 3, one second each), for InstanceScalingIT. */
    static List<Row> smoke() throws Exception {
        return run(List.of(1, 3), Path.of(System.getProperty("corpus.dir", "../shared/corpus"), "python-client-0.16.txt"), 1, 1, 2, "256m");
    }

    static List<Row> run(List<Integer> sizes, Path body, int seconds, int warmup, int callers, String heap) throws Exception {
        Path work = Files.createTempDirectory("instance-scaling");
        try (NatsServer nats = new NatsServer();
             InstanceFarm farm = new InstanceFarm(body, 1)) {
            nats.start();
            farm.start();
            List<RouteAnnouncer.Instance> instances = new ArrayList<>();
            int n = 0;
            for (int app = 0; app < sizes.size(); app++) {
                for (int i = 0; i < sizes.get(app); i++) {
                    instances.add(new RouteAnnouncer.Instance(app, i, InstanceFarm.address(n++), farm.port()));
                }
            }
            try (GatewayProcess gateway = GatewayProcess.start(heap, nats.url(), Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "1s"), work);
                 RouteAnnouncer announcer = new RouteAnnouncer(nats.url(), instances).every(Duration.ofSeconds(1))) {
                // Every size first merged completely and driven for the warm-up, so the JIT has
                // compiled every path before the first size is measured.
                List<URI> uris = new ArrayList<>();
                List<Long> samples = new ArrayList<>();
                for (int app = 0; app < sizes.size(); app++) {
                    URI uri = URI.create(gateway.url() + "/v1/apps/" + RouteAnnouncer.appGuid(app) + "/metrics");
                    uris.add(uri);
                    samples.add(awaitComplete(uri, sizes.get(app)));
                    drive(uri, callers, warmup);
                }
                List<Row> rows = new ArrayList<>();
                for (int app = 0; app < sizes.size(); app++) {
                    double cpu0 = ProcStats.cpuSeconds(gateway.pid());
                    long start = System.nanoTime();
                    Drive d = drive(uris.get(app), callers, seconds);
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    rows.add(new Row(sizes.get(app), d.ok, d.failed, samples.get(app), ProcStats.cpuSeconds(gateway.pid()) - cpu0, elapsed,
                            d.percentile(0.5), d.percentile(0.99)));
                }
                return rows;
            }
        }
    }

    /** What callers back to back achieved. Latencies in ms. */
    private record Drive(long ok, long failed, double[] latencies) {
        double percentile(double p) {
            return latencies.length == 0 ? 0 : latencies[Math.min(latencies.length - 1, (int) Math.ceil(p * latencies.length) - 1)];
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Accept", OpenLoad.PROMETHEUS_ACCEPT).header("Accept-Encoding", "gzip")
                .header("X-Prometheus-Scrape-Timeout-Seconds", "20").build();
    }

    private static Drive drive(URI uri, int callers, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            Thread caller = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = HTTP.send(request(uri), HttpResponse.BodyHandlers.ofByteArray());
                        (r.statusCode() == 200 ? ok : failed).incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    latencies.add((System.nanoTime() - t) / 1e6);
                }
            }, "caller-" + c);
            caller.start();
            threads.add(caller);
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Drive(ok.get(), failed.get(), latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray());
    }

    /** Waits until every instance is merged; returns the samples of one answer. */
    private static long awaitComplete(URI uri, int instances) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<byte[]> r = HTTP.send(request(uri), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200 && OpenLoad.instancesUp(r) == instances) {
                byte[] bytes = r.body();
                if (r.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                        bytes = in.readAllBytes();
                    }
                }
                return new String(bytes, StandardCharsets.UTF_8).lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(uri + " never merged all " + instances + " instances: " + r.statusCode());
            }
            GatewayProcess.sleep(200);
        }
    }

    static void print(List<Row> rows, Path body) {
        Row ten = rows.stream().filter(r -> r.instances() == 10).findFirst().orElse(rows.get(0));
        System.out.printf(Locale.ROOT, "%nOne app of N instances of %s, two callers back to back, OpenMetrics + gzip%n%n", body.getFileName());
        System.out.printf(Locale.ROOT, "| instances | samples per answer | answers/s | failed | p50 ms | p99 ms | gateway CPU µs per merged sample | **vs %d instances** |%n",
                ten.instances());
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %d | %.1f | %.1f | %.3f | **%.2f×** |%n", r.instances(), r.samplesPerAnswer(),
                    r.requests() / r.seconds(), r.failed(), r.p50(), r.p99(), r.cpuMicrosPerSample(), r.cpuMicrosPerSample() / ten.cpuMicrosPerSample());
        }
    }
}
