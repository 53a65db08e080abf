package io.promfetcher.benchmarks;

import io.nats.client.Connection;
import io.nats.client.Nats;
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
        Path jar = Path.of(System.getProperty("promfetcher.jar", "promfetcher/target/promfetcher.jar")).toAbsolutePath();
        Path work = Files.createTempDirectory("e2e-bench");
        List<Process> processes = new ArrayList<>();
        Runnable[] stopAnnouncer = {() -> {}};
        Runnable[] closeLast = {() -> {}};
        Runnable announcerStop = () -> stopAnnouncer[0].run();
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            int staticPort = FreePort.find();
            List<Integer> instancePorts = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                instancePorts.add(FreePort.find());
            }
            Path merged = work.resolve("merged.txt");
            Files.writeString(merged, "");
            NginxServer nginx = nginx(corpus, instancePorts, merged, staticPort);
            closeLast[0] = nginx::close;

            int apiPort = FreePort.find();
            // GATEWAY_HEAP: the gateway's maximum heap (default 256m, as in the overload test).
            List<String> gatewayCommand = new ArrayList<>(List.of("java", "-Xmx" + System.getenv().getOrDefault("GATEWAY_HEAP", "256m")));
            // Extra JVM options for the gateway, e.g. a flight recording: GATEWAY_JAVA_OPTS=-XX:StartFlightRecording=...
            String extra = System.getenv().getOrDefault("GATEWAY_JAVA_OPTS", "");
            if (!extra.isBlank()) {
                gatewayCommand.addAll(List.of(extra.trim().split("\\s+")));
            }
            gatewayCommand.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder gateway = new ProcessBuilder(gatewayCommand)
                    .redirectOutput(work.resolve("gateway.log").toFile()).redirectErrorStream(true);
            gateway.environment().put("PROMFETCHER_PORT", Integer.toString(apiPort));
            gateway.environment().put("PROMFETCHER_HEALTH_PORT", Integer.toString(FreePort.find()));
            gateway.environment().put("PROMFETCHER_NATS_SERVERS", nats.url());
            gateway.environment().put("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "1s");
            gateway.environment().put("PROMFETCHER_LOG_ACCESS", "false");
            Process gw = gateway.start();
            processes.add(gw);

            Connection publisher = Nats.connect(nats.url());
            // Re-announce every second, as route-emitter does every 20 s: the gateway may connect later.
            java.util.concurrent.ScheduledExecutorService announcer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "announcer");
                t.setDaemon(true);
                return t;
            });
            announcer.scheduleAtFixedRate(() -> {
                for (int i = 0; i < instances; i++) {
                    String json = ("{\"host\":\"127.0.0.1\",\"port\":%d,\"uris\":[\"bench.apps.internal\"],\"app\":\"b0000000-0000-0000-0000-000000000001\","
                            + "\"private_instance_id\":\"inst-%d\",\"private_instance_index\":\"%d\",\"tags\":{\"component\":\"route-emitter\","
                            + "\"app_id\":\"b0000000-0000-0000-0000-000000000001\",\"app_name\":\"node\",\"organization_id\":\"o1\","
                            + "\"organization_name\":\"thux\",\"space_id\":\"s1\",\"space_name\":\"bench\",\"instance_id\":\"%d\"}}")
                            .formatted(instancePorts.get(i), i, i, i);
                    publisher.publish("router.register", json.getBytes(StandardCharsets.UTF_8));
                }
            }, 0, 1, TimeUnit.SECONDS);
            stopAnnouncer[0] = () -> {
                announcer.shutdownNow();
                try {
                    publisher.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            String gatewayUrl = "http://127.0.0.1:" + apiPort + "/v1/apps/thux/bench/node/only-app-metrics";
            String body = awaitBody(gatewayUrl, instances);
            Files.writeString(merged, body);
            String staticUrl = "http://127.0.0.1:" + staticPort + "/merged.txt";

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
                for (String line : HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
                    if (line.matches("promfetcher_(http_requests_total\\{[^}]*endpoint=\"apps\"|http_requests_rejected_total|merge_rejected_total|instance_scrapes_total).*")
                            && !line.endsWith(" 0.0")) {
                        System.out.println("    " + line);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%nGateway peak RSS during the runs (VmHWM): %d MB%n", Math.max(peakRss, ProcStats.peakRssKb(gw.pid())) / 1024);
        } finally {
            announcerStop.run();
            for (Process p : processes) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            closeLast[0].run();
        }
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
