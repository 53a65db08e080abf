package io.promfetcher.benchmarks;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.testkit.NatsServer;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The figures of issue 10's "done when", under a 256 MB heap: a legal 49 MB instance beside a
 * small one, 64 callers of an app of 20 instances for a while, and a NATS flood of 2.8 M routes.
 * For each: answers by status, latency percentiles, the share refused, the gateway's RSS. The
 * instances are one nginx ({@link InstanceFarm}) serving the node_exporter corpus, or the 49 MB
 * body. Prints a Markdown table for docs/benchmarks.md.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.promfetcher.benchmarks.HostileFigures [seconds of the 64-caller run, default 60]</pre>
 */
public final class HostileFigures {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HostileFigures() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Path corpus = Path.of(System.getProperty("corpus.dir", "../shared/corpus"), "node-exporter-1.5.txt").toAbsolutePath();
        Path work = Files.createTempDirectory("hostile-figures");
        Path big = work.resolve("big.txt");
        writeLargeExposition(big, 49 << 20);
        List<String> rows = new ArrayList<>();
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            try (InstanceFarm wide = new InstanceFarm(corpus, 1).start();
                 InstanceFarm huge = new InstanceFarm(big, 1).start();
                 GatewayProcess gateway = GatewayProcess.start("256m", nats.url(),
                         Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "1s"), work)) {
                List<RouteAnnouncer.Instance> instances = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    instances.add(new RouteAnnouncer.Instance(0, i, InstanceFarm.address(i), wide.port()));
                }
                instances.add(new RouteAnnouncer.Instance(1, 0, InstanceFarm.address(100), huge.port()));
                instances.add(new RouteAnnouncer.Instance(1, 1, InstanceFarm.address(101), wide.port()));
                try (RouteAnnouncer announcer = new RouteAnnouncer(nats.url(), instances).every(Duration.ofSeconds(1))) {
                    awaitRouted(gateway, 22);

                    Run bigRun = run(gateway, "/v1/apps/" + RouteAnnouncer.appGuid(1) + "/metrics", 1, 5);
                    rows.add(bigRun.row("a 49 MB instance beside a small one, 1 caller, 5 requests", gateway));

                    Run wideRun = runFor(gateway, "/v1/apps/" + RouteAnnouncer.appGuid(0) + "/metrics", 64, Duration.ofSeconds(seconds));
                    rows.add(wideRun.row("64 callers of an app of 20 node_exporter instances, " + seconds + " s", gateway));
                    rows.add("|   instances refused for memory (too_large) | "
                            + String.join(", ", gateway.samples("promfetcher_merge_instances_refused_memory_total")) + " |||||");
                }
                rows.add(flood(gateway, nats.url()));
                if (Files.readString(gateway.log()).contains("OutOfMemoryError")) {
                    rows.add("| **OutOfMemoryError in the gateway's log** |||||");
                }
            }
        }
        System.out.println();
        System.out.println("| run | answers by status | p50 | p99 | refused (5xx) share | gateway RSS (peak) |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    /** A valid exposition of about {@code size} bytes: one counter family of many series. */
    private static void writeLargeExposition(Path file, int size) throws IOException {
        StringBuilder out = new StringBuilder(size + 100);
        out.append("# TYPE big_requests_total counter\n");
        for (int i = 0; out.length() < size; i++) {
            out.append("big_requests_total{route=\"/api/v1/organizations/{organization}/projects/{project}\",n=\"")
                    .append(i).append("\"} ").append(i).append('\n');
        }
        Files.writeString(file, out, StandardCharsets.UTF_8);
    }

    private static void awaitRouted(GatewayProcess gateway, int instances) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<String> count = gateway.samples("promfetcher_routes_instances");
            if (!count.isEmpty() && Double.parseDouble(count.get(0).split(" ")[1]) >= instances) {
                return;
            }
            GatewayProcess.sleep(200);
        }
        throw new IllegalStateException("instances not routed within 60 s");
    }

    /** Answers and their latencies. */
    private record Run(Map<Integer, Integer> statuses, long[] nanos, long peakRssKb) {
        String row(String what, GatewayProcess gateway) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int total = sorted.length;
            int refused = statuses.entrySet().stream().filter(e -> e.getKey() >= 500 || e.getKey() < 0)
                    .mapToInt(Map.Entry::getValue).sum();
            return "| " + what + " | " + statuses + " | " + millis(sorted, 0.50) + " ms | " + millis(sorted, 0.99) + " ms | "
                    + String.format("%.1f %%", 100.0 * refused / Math.max(1, total)) + " | " + (peakRssKb >> 10) + " MB |";
        }

        private static long millis(long[] sorted, double q) {
            return sorted.length == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))]);
        }
    }

    private static Run run(GatewayProcess gateway, String path, int callers, int requestsEach) throws Exception {
        return load(gateway, path, callers, requestsEach, Duration.ofHours(1));
    }

    private static Run runFor(GatewayProcess gateway, String path, int callers, Duration duration) throws Exception {
        return load(gateway, path, callers, Integer.MAX_VALUE, duration);
    }

    /** Closed loop: each caller asks again as soon as it has its answer, as Prometheus' scrapes of many targets overlap. */
    private static Run load(GatewayProcess gateway, String path, int callers, int requestsEach, Duration duration) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        List<Long> nanos = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        long[] peak = {0};
        Thread sampler = new Thread(() -> {
            while (!stop.get()) {
                peak[0] = Math.max(peak[0], ProcStats.rssKb(gateway.pid()));
                GatewayProcess.sleep(100);
            }
        });
        sampler.start();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            futures.add(pool.submit(() -> {
                for (int r = 0; r < requestsEach && System.nanoTime() < end; r++) {
                    long start = System.nanoTime();
                    int status;
                    try {
                        status = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                                        .header("Accept-Encoding", "gzip").header("X-Prometheus-Scrape-Timeout-Seconds", "10")
                                        .timeout(Duration.ofSeconds(30)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (IOException e) {
                        status = -1; // no answer at all
                    }
                    long took = System.nanoTime() - start;
                    synchronized (statuses) {
                        statuses.merge(status, 1, Integer::sum);
                        nanos.add(took);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        stop.set(true);
        sampler.join();
        return new Run(statuses, nanos.stream().mapToLong(Long::longValue).toArray(), Math.max(peak[0], ProcStats.peakRssKb(gateway.pid())));
    }

    /** 200 registrations of 14,000 routes each (2.8 M if all were kept), then how fast the gateway answers. */
    private static String flood(GatewayProcess gateway, String natsUrl) throws Exception {
        StringBuilder uris = new StringBuilder();
        for (int u = 0; u < 14_000; u++) {
            uris.append(u == 0 ? "" : ",").append("\"f").append(u).append(".flood.example.com\"");
        }
        long start = System.nanoTime();
        try (Connection nats = Nats.connect(natsUrl)) {
            for (int m = 0; m < 200; m++) {
                String json = "{\"host\":\"10.9." + (m / 250) + "." + (1 + m % 250) + "\",\"port\":8080,\"uris\":[" + uris
                        + "],\"tags\":{\"component\":\"flood\"}}";
                nats.publish("router.register", json.getBytes(StandardCharsets.UTF_8));
            }
            nats.flush(Duration.ofSeconds(30));
        }
        GatewayProcess.sleep(5000); // let the table absorb what NATS delivered
        long rss = ProcStats.rssKb(gateway.pid());
        long t0 = System.nanoTime();
        int routes = gateway.get("/routes").statusCode();
        long routesMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        t0 = System.nanoTime();
        int sd = gateway.get("/v1/sd").statusCode();
        long sdMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        return "| NATS flood: 200 × 14,000 routes | /routes " + routes + " in " + routesMs + " ms, /v1/sd " + sd + " in " + sdMs
                + " ms; " + String.join(", ", gateway.samples("promfetcher_routes_routes")) + "; "
                + String.join(", ", gateway.samples("promfetcher_routes_malformed_messages_total").stream()
                .filter(l -> !l.endsWith(" 0.0")).toList())
                + " | | | | " + (rss >> 10) + " MB (" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + " s in all) |";
    }
}
