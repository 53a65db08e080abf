package io.promfetcher.benchmarks;

import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.NginxServer;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end load on the gateway, beside the limit no proxy can beat, in one run:
 * <ul>
 *   <li>N app instances, each nginx serving the same exposition file (node_exporter by default),
 *       announced on a private nats-server as route-emitter would;</li>
 *   <li>the gateway jar in front of them ({@code -Xmx256m}, or {@code GATEWAY_HEAP});</li>
 *   <li>the baseline: nginx serving the gateway's own merged output as a static file;</li>
 *   <li>wrk against both, at each concurrency, with and without gzip.</li>
 * </ul>
 * The instances do not compress their bodies: on a real foundation they run on other machines,
 * and here their compression would take CPU from the gateway on the same two cores.
 * Prints a Markdown table for docs/benchmarks.md. Needs nginx, wrk and nats-server
 * ({@code apt-get install nginx wrk nats-server}).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.promfetcher.benchmarks.EndToEndBenchmark [seconds] [instances] [file] [concurrencies, default 1,4,16]</pre>
 */
public final class EndToEndBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private EndToEndBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int instances = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path corpus = Path.of(args.length > 2 ? args[2] : "../shared/corpus/node-exporter-1.5.txt").toAbsolutePath();
        int[] concurrencies = java.util.Arrays.stream((args.length > 3 ? args[3] : "1,4,16").split(",")).mapToInt(Integer::parseInt).toArray();
        Path work = Files.createTempDirectory("e2e-bench");
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            int staticPort = FreePort.find();
            List<RouteAnnouncer.Instance> announced = new ArrayList<>();
            List<Integer> instancePorts = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                instancePorts.add(FreePort.find());
                announced.add(new RouteAnnouncer.Instance(0, i, "127.0.0.1", instancePorts.get(i)));
            }
            Path merged = work.resolve("merged.txt");
            Files.writeString(merged, "");
            // GATEWAY_HEAP: the gateway's maximum heap (default 256m, as in the overload test).
            try (NginxServer nginx = nginx(corpus, instancePorts, merged, staticPort);
                 GatewayProcess gw = GatewayProcess.start(System.getenv().getOrDefault("GATEWAY_HEAP", "256m"), nats.url(),
                         Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "1s"), work);
                 // Every second, as route-emitter does every 20 s.
                 RouteAnnouncer announcer = new RouteAnnouncer(nats.url(), announced).every(Duration.ofSeconds(1))) {
                run(gw, gw.url() + "/v1/apps/" + RouteAnnouncer.appGuid(0) + "/only-app-metrics", instances, corpus, merged,
                        "http://127.0.0.1:" + staticPort + "/merged.txt", seconds, concurrencies);
            }
        }
    }

    private static void run(GatewayProcess gw, String gatewayUrl, int instances, Path corpus, Path merged, String staticUrl,
                            int seconds, int[] concurrencies) throws Exception {
        String body = awaitBody(gatewayUrl, instances);
        Files.writeString(merged, body);
        // Warm both servers up (the JIT compiles the gateway's parse, merge and gzip paths)
        // before anything is measured, or the first row would measure the compiler.
        for (boolean gzip : new boolean[] {false, true}) {
            wrk(gatewayUrl, 4, Math.max(5, seconds), gzip);
            wrk(staticUrl, 4, 2, gzip);
        }
        System.out.printf(Locale.ROOT, "%d instances of %s (%d bytes each); merged output %d bytes; %d s per run%n%n",
                instances, corpus.getFileName(), Files.size(corpus), body.length(), seconds);
        System.out.println("| concurrency | gzip | gateway req/s | static req/s | ratio | gateway p50 ms | static p50 ms | p50 ratio | gateway p99 ms | static p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        long peakRss = 0;
        try {
            for (boolean gzip : new boolean[] {false, true}) {
                for (int c : concurrencies) {
                    Wrk g = wrk(gatewayUrl, c, seconds, gzip);
                    peakRss = Math.max(peakRss, ProcStats.rssKb(gw.pid()));
                    Wrk s = wrk(staticUrl, c, seconds, gzip);
                    System.out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.3f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                            c, gzip ? "yes" : "no", g.rps, s.rps, g.rps / s.rps, g.p50, s.p50, g.p50 / s.p50, g.p99, s.p99);
                }
            }
        } finally {
            // What the gateway answered, by status, and why it refused: the reason for any non-2xx above.
            System.out.println();
            gw.counters().forEach(line -> System.out.println("    " + line));
        }
        System.out.printf(Locale.ROOT, "%nGateway peak RSS during the runs (VmHWM): %d MB%n", Math.max(peakRss, ProcStats.peakRssKb(gw.pid())) / 1024);
    }

    private static NginxServer nginx(Path corpus, List<Integer> instancePorts, Path merged, int staticPort) {
        StringBuilder servers = new StringBuilder("""
                  keepalive_requests 1000000;
                  gzip on; gzip_types text/plain "text/plain; version=0.0.4"; gzip_comp_level 1; gzip_min_length 1024;
                """);
        for (int port : instancePorts) {
            servers.append("""
                      server { listen 127.0.0.1:%d; gzip off; location = /metrics { default_type "text/plain; version=0.0.4"; alias %s; } }
                    """.formatted(port, corpus));
        }
        servers.append("""
                  server { listen 127.0.0.1:%d; location = /merged.txt { default_type "text/plain; version=0.0.4"; alias %s; } }
                """.formatted(staticPort, merged));
        NginxServer nginx = new NginxServer(staticPort, servers.toString()).withWorkers(2);
        nginx.start();
        return nginx;
    }

    private static String awaitBody(String url, int instances) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body().substring(0, Math.min(200, r.body().length()));
                // Every instance, not only the last one announced: the baseline serves this body.
                if (r.statusCode() == 200 && java.util.stream.IntStream.range(0, instances)
                        .allMatch(i -> r.body().contains("index=\"" + i + "\""))) {
                    return r.body();
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            sleep(250);
        }
        throw new IllegalStateException("the gateway never served all instances: " + last);
    }

    record Wrk(double rps, double p50, double p99) {}

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern LATENCY = Pattern.compile("\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)");

    private static Wrk wrk(String url, int connections, int seconds, boolean gzip) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t", Integer.toString(Math.min(connections, 2)),
                "-c", Integer.toString(connections), "-d", seconds + "s", "--latency"));
        if (gzip) {
            cmd.addAll(List.of("-H", "Accept-Encoding: gzip"));
        }
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        if (out.contains("Non-2xx")) {
            throw new IllegalStateException("errors during the run:\n" + out);
        }
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("no wrk result:\n" + out);
        }
        double p50 = 0;
        double p99 = 0;
        Matcher m = LATENCY.matcher(out);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2));
            double ms = switch (m.group(3)) {
                case "us" -> v / 1000;
                case "s" -> v * 1000;
                default -> v;
            };
            if (m.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        return new Wrk(Double.parseDouble(rps.group(1)), p50, p99);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
