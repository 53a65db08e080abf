package io.promfetcher.benchmarks;

import io.promfetcher.testkit.NatsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A foundation on one machine: {@code apps × instances} app instances announced on a real
 * nats-server as route-emitter does (every 20 s), served by one nginx on loopback
 * ({@link InstanceFarm}), one gateway (the jar, {@code -Xmx512m} as the BOSH job's default), and
 * an open-model load generator ({@link OpenLoad}) scraping every app once per scrape interval
 * (30 s: 10,000 apps ≈ 333 app scrapes/s) through the targets the gateway's own {@code /v1/sd}
 * gives. Reports the achieved rate, latency, the gateway's CPU seconds per 1,000 scrapes and its
 * RSS, and {@code /v1/sd}'s answer time and size; prints Markdown for docs/benchmarks.md.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.promfetcher.benchmarks.FoundationSimulation [key=value ...]
 *   apps=10000 instances=5 interval=30 seconds=120 warmup=20 body=../shared/corpus/python-client-0.16.txt
 *   gateway.KEY=VALUE (a PROMFETCHER_KEY setting, e.g. gateway.SCRAPE_IDLE_CONNECTION_TIMEOUT=10s)
 *   smoke (20 apps, 2 s, announcements every second: what FoundationSimulationIT runs)
 * </pre>
 */
public final class FoundationSimulation {
    private static final Pattern METRICS_PATH = Pattern.compile("\"__metrics_path__\":\"([^\"]+)\"");

    /** The run's settings. */
    record Settings(int apps, int instances, double intervalSeconds, int seconds, int warmupSeconds, Path body,
                    Duration announceEvery, String heap, Map<String, String> gateway) {
        double rate() {
            return apps / intervalSeconds;
        }

        static Settings parse(String... args) {
            Map<String, String> a = new HashMap<>();
            Map<String, String> gateway = new HashMap<>();
            boolean smoke = false;
            for (String arg : args) {
                if (arg.equals("smoke")) {
                    smoke = true;
                } else if (arg.startsWith("gateway.")) {
                    String[] kv = arg.substring("gateway.".length()).split("=", 2);
                    gateway.put("PROMFETCHER_" + kv[0], kv[1]);
                } else {
                    String[] kv = arg.split("=", 2);
                    a.put(kv[0], kv[1]);
                }
            }
            String corpus = System.getProperty("corpus.dir", "../shared/corpus");
            if (smoke) {
                gateway.putIfAbsent("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "1s");
            }
            return new Settings(
                    Integer.parseInt(a.getOrDefault("apps", smoke ? "20" : "10000")),
                    Integer.parseInt(a.getOrDefault("instances", "5")),
                    Double.parseDouble(a.getOrDefault("interval", smoke ? "1" : "30")),
                    Integer.parseInt(a.getOrDefault("seconds", smoke ? "2" : "120")),
                    Integer.parseInt(a.getOrDefault("warmup", smoke ? "1" : "20")),
                    Path.of(a.getOrDefault("body", corpus + "/python-client-0.16.txt")),
                    smoke ? Duration.ofSeconds(1) : Duration.ofSeconds(20),
                    a.getOrDefault("heap", "512m"),
                    gateway);
        }
    }

    /** What a run measured. */
    record Report(Settings settings, OpenLoad.Result load, double gatewayCpuSeconds, double nginxCpuSeconds,
                  double generatorCpuSeconds, long gatewayRssKb, long gatewayPeakRssKb, double tableFullSeconds,
                  double sdMillis, long sdBytes, double sdGzipMillis, long sdGzipBytes, List<String> gatewayCounters,
                  double loadAverage) {
        double gatewayCpuPerThousand() {
            return gatewayCpuSeconds / (load.ok() + load.failed()) * 1000;
        }
    }

    private FoundationSimulation() {}

    public static void main(String[] args) throws Exception {
        Report r = run(Settings.parse(args));
        print(r);
    }

    static Report run(Settings s) throws Exception {
        Path work = Files.createTempDirectory("foundation-sim");
        try (NatsServer nats = new NatsServer();
             // Two workers: 2 × 16,000 connections, more than the gateway's own descriptor limit (20,000 here).
             InstanceFarm farm = new InstanceFarm(s.body(), 2)) {
            nats.start();
            farm.start();
            List<RouteAnnouncer.Instance> instances = new ArrayList<>();
            for (int app = 0; app < s.apps(); app++) {
                for (int i = 0; i < s.instances(); i++) {
                    instances.add(new RouteAnnouncer.Instance(app, i, InstanceFarm.address(app * s.instances() + i), farm.port()));
                }
            }
            try (GatewayProcess gateway = GatewayProcess.start(s.heap(), nats.url(), s.gateway(), work);
                 RouteAnnouncer announcer = new RouteAnnouncer(nats.url(), instances)) {
                long announced = System.nanoTime();
                announcer.every(s.announceEvery());
                String sd = awaitAllApps(gateway, s.apps());
                double tableFull = (System.nanoTime() - announced) / 1e9;
                List<URI> targets = new ArrayList<>();
                Matcher m = METRICS_PATH.matcher(sd);
                while (m.find()) {
                    targets.add(URI.create(gateway.url() + m.group(1)));
                }
                // Prometheus's SD client asks for gzip (Go's transport adds it); both are shown.
                long[] plain = timeSd(gateway, false);
                long[] gzip = timeSd(gateway, true);

                OpenLoad load = new OpenLoad();
                Duration timeout = Duration.ofSeconds(20);
                load.run(targets, s.rate(), Duration.ofSeconds(s.warmupSeconds()), timeout, s.instances());
                double gw0 = ProcStats.cpuSeconds(gateway.pid());
                double ngx0 = ProcStats.cpuSeconds(farm.nginx().pid());
                double gen0 = ProcStats.selfCpuSeconds();
                OpenLoad.Result result = load.run(targets, s.rate(), Duration.ofSeconds(s.seconds()), timeout, s.instances());
                double gw = ProcStats.cpuSeconds(gateway.pid()) - gw0;
                double ngx = ProcStats.cpuSeconds(farm.nginx().pid()) - ngx0;
                double gen = ProcStats.selfCpuSeconds() - gen0;
                return new Report(s, result, gw, ngx, gen, ProcStats.rssKb(gateway.pid()), ProcStats.peakRssKb(gateway.pid()),
                        tableFull, plain[0] / 1e6, plain[1], gzip[0] / 1e6, gzip[1],
                        gateway.counters(), loadAverage());
            }
        }
    }

    private static String awaitAllApps(GatewayProcess gateway, int apps) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            String body = gateway.get("/v1/sd").body();
            seen = 0;
            for (int i = body.indexOf("__metrics_path__"); i >= 0; i = body.indexOf("__metrics_path__", i + 1)) {
                seen++;
            }
            if (seen == apps) {
                return body;
            }
            GatewayProcess.sleep(500);
        }
        throw new IllegalStateException("the gateway knew " + seen + " of " + apps + " apps after 5 minutes; log: " + gateway.log());
    }

    /** Median time of five /v1/sd answers (after one to warm up), and the size of the answer. */
    private static long[] timeSd(GatewayProcess gateway, boolean gzip) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/sd")).timeout(Duration.ofSeconds(60));
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        long[] times = new long[5];
        long size = 0;
        for (int i = -1; i < times.length; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (i >= 0) {
                times[i] = System.nanoTime() - start;
            }
            size = r.body().length;
        }
        java.util.Arrays.sort(times);
        return new long[] {times[times.length / 2], size};
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return -1;
        }
    }

    static void print(Report r) {
        Settings s = r.settings();
        OpenLoad.Result l = r.load();
        System.out.printf(Locale.ROOT, "%n%d apps × %d instances (%s, %d bytes each), every app once per %.0f s = %.1f app scrapes/s for %d s "
                        + "(after %d s of warm-up); gateway -Xmx%s %s%n%n",
                s.apps(), s.instances(), s.body().getFileName(), fileSize(s.body()), s.intervalSeconds(), s.rate(), s.seconds(),
                s.warmupSeconds(), s.heap(), s.gateway());
        System.out.println("| measure | value |");
        System.out.println("|---|---|");
        System.out.printf(Locale.ROOT, "| app scrapes due / answered 200 / failed | %d / %d / %d %s |%n", l.due(), l.ok(), l.failed(),
                l.failures().isEmpty() ? "" : l.failures());
        System.out.printf(Locale.ROOT, "| achieved rate (200s per second) | %.1f /s (%.2f× the target) |%n", l.achievedRate(), l.achievedRate() / s.rate());
        System.out.printf(Locale.ROOT, "| latency from due time p50 / p90 / p99 / max | %.1f / %.1f / %.1f / %.1f ms |%n", l.p50(), l.p90(), l.p99(), l.max());
        System.out.printf(Locale.ROOT, "| answers checked / with an instance missing | %d / %d |%n", l.checked(), l.incomplete());
        System.out.printf(Locale.ROOT, "| mean answer (gzip) | %d bytes |%n", l.ok() == 0 ? 0 : l.responseBytes() / l.ok());
        System.out.printf(Locale.ROOT, "| gateway CPU | %.1f s, **%.2f s per 1,000 scrapes** (%.0f%% of one core) |%n",
                r.gatewayCpuSeconds(), r.gatewayCpuPerThousand(), 100 * r.gatewayCpuSeconds() / l.seconds());
        System.out.printf(Locale.ROOT, "| nginx (the instances) CPU / load generator CPU | %.1f s / %.1f s |%n", r.nginxCpuSeconds(), r.generatorCpuSeconds());
        System.out.printf(Locale.ROOT, "| gateway RSS at the end / peak | %d / %d MB |%n", r.gatewayRssKb() / 1024, r.gatewayPeakRssKb() / 1024);
        System.out.printf(Locale.ROOT, "| all apps in /v1/sd after the first announcement | %.1f s |%n", r.tableFullSeconds());
        System.out.printf(Locale.ROOT, "| /v1/sd, %d apps: time / size | %.1f ms / %d bytes (gzip: %.1f ms / %d bytes) |%n",
                s.apps(), r.sdMillis(), r.sdBytes(), r.sdGzipMillis(), r.sdGzipBytes());
        System.out.printf(Locale.ROOT, "| load average (1 min) at the end | %.1f |%n", r.loadAverage());
        System.out.println();
        r.gatewayCounters().forEach(line -> System.out.println("    " + line));
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
