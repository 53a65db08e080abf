package io.promfetcher.benchmarks;

import io.promfetcher.testkit.FreePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's own jar ({@code promfetcher/target/promfetcher.jar}, or {@code -Dpromfetcher.jar})
 * as a process of its own, so what it costs (CPU, RSS) is measured apart from the load generator.
 * Settings are given as environment variables, as on Cloud Foundry.
 */
final class GatewayProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process process;
    private final int apiPort;
    private final Path log;

    private GatewayProcess(Process process, int apiPort, Path log) {
        this.process = process;
        this.apiPort = apiPort;
        this.log = log;
    }

    /**
     * Starts the jar with {@code -Xms32m -Xmx<heap> -XX:+UseSerialGC} (and {@code GATEWAY_JAVA_OPTS}, e.g. a flight
     * recording) and the given PROMFETCHER_* settings; returns once its health port answers 200.
     */
    static GatewayProcess start(String heap, String natsUrls, Map<String, String> settings, Path workDir) throws IOException {
        Path jar = Path.of(System.getProperty("promfetcher.jar", "promfetcher/target/promfetcher.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: mvn -B -q package -DskipTests -pl promfetcher,benchmarks -am");
        }
        // As the gateway runs where it is deployed: -Xms32m as run-local and the CF manifest start
        // it (the JVM's default initial heap, 1/64 of this 24 GB machine, is the whole 256 MB),
        // and the serial collector, which the JVM's ergonomics pick by themselves below 2 GB of
        // memory (HotSpot GC tuning guide, "Ergonomics": not a server-class machine), as in the
        // CF manifest's 1 GB container; on this machine they would pick G1.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-Xmx" + heap));
        String extra = System.getenv().getOrDefault("GATEWAY_JAVA_OPTS", "");
        if (!extra.matches(".*-XX:\\+Use\\w+GC.*")) { // GATEWAY_JAVA_OPTS=-XX:+UseG1GC measures the other one
            command.add("-XX:+UseSerialGC");
        }
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        int api = FreePort.find();
        int health = FreePort.find();
        Path log = workDir.resolve("gateway.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PROMFETCHER_") || k.equals("PORT"));
        builder.environment().put("PROMFETCHER_PORT", Integer.toString(api));
        builder.environment().put("PROMFETCHER_HEALTH_PORT", Integer.toString(health));
        builder.environment().put("PROMFETCHER_NATS_SERVERS", natsUrls);
        builder.environment().put("PROMFETCHER_LOG_ACCESS", "false");
        builder.environment().putAll(settings);
        GatewayProcess gateway = new GatewayProcess(builder.start(), api, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!gateway.process.isAlive()) {
                throw new IllegalStateException("the gateway exited: " + Files.readString(log));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return gateway;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > deadline) {
                gateway.close();
                throw new IllegalStateException("the gateway was not healthy within 60 s; log: " + log);
            }
            sleep(100);
        }
    }

    String url() {
        return "http://127.0.0.1:" + apiPort;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** GET on the gateway; the status and body as text. */
    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The gateway's own sample lines of metric {@code name}, for a report. */
    List<String> samples(String name) throws IOException, InterruptedException {
        return java.util.Arrays.stream(get("/metrics").body().split("\n"))
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).toList();
    }

    /**
     * The gateway's own account, its non-zero samples: instance scrapes by outcome, answers by
     * endpoint and status, requests refused by reason, merges refused for memory.
     */
    List<String> counters() throws IOException, InterruptedException {
        List<String> lines = new ArrayList<>();
        for (String name : List.of("promfetcher_instance_scrapes_total", "promfetcher_http_requests_total",
                "promfetcher_http_requests_rejected_total", "promfetcher_merge_instances_refused_memory_total")) {
            samples(name).stream().filter(l -> !l.endsWith(" 0.0")).forEach(lines::add);
        }
        return lines;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
