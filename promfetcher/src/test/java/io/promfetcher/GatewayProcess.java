package io.promfetcher;

import java.io.File;
import java.io.IOException;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The gateway jar run as a real child process, as an operator runs it: its stdout and stderr in
 * files, signals sent with kill(1), its exit code observed.
 */
final class GatewayProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("promfetcher.jar", "target/promfetcher.jar")).toAbsolutePath();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private GatewayProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Runs {@code java -jar promfetcher.jar args} with the given environment added. */
    static GatewayProcess start(Map<String, String> env, String... args) throws IOException {
        return launch(List.of("-Xmx128m", "-jar", JAR.toString()), env, args);
    }

    /** The same in a given working directory (where relative paths, e.g. the broker's default database, land). */
    static GatewayProcess startIn(Path workingDirectory, Map<String, String> env, String... args) throws IOException {
        return launch(List.of("-Xmx128m", "-jar", JAR.toString()), env, Optional.of(workingDirectory), args);
    }

    /** The same with a given maximum heap, e.g. {@code 256m}. */
    static GatewayProcess startWithHeap(String heap, Map<String, String> env, String... args) throws IOException {
        return launch(List.of("-Xmx" + heap, "-jar", JAR.toString()), env, args);
    }

    /** Runs the gateway with the test-only slow endpoint (see {@link SlowEndpointMain}). */
    static GatewayProcess startWithSlowEndpoint(Map<String, String> env, String... args) throws IOException {
        String classpath = JAR + File.pathSeparator + Path.of("target/test-classes").toAbsolutePath();
        return launch(List.of("-Xmx128m", "-cp", classpath, SlowEndpointMain.class.getName()), env, args);
    }

    private static GatewayProcess launch(List<String> javaArgs, Map<String, String> env, String... args) throws IOException {
        return launch(javaArgs, env, Optional.empty(), args);
    }

    private static GatewayProcess launch(List<String> javaArgs, Map<String, String> env, Optional<Path> workingDirectory,
                                         String... args) throws IOException {
        Path dir = Files.createTempDirectory("gateway-process");
        Path out = dir.resolve("stdout.log");
        Path err = dir.resolve("stderr.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaArgs);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        workingDirectory.ifPresent(d -> builder.directory(d.toFile()));
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("PROMFETCHER_") || k.equals("PORT"));
        environment.putAll(env);
        return new GatewayProcess(builder.start(), out, err);
    }

    /** Free ports for the API and health listeners, as environment variables. */
    static Map<String, String> freePorts() {
        Map<String, String> env = new HashMap<>();
        env.put("PROMFETCHER_PORT", Integer.toString(io.promfetcher.testkit.FreePort.find()));
        env.put("PROMFETCHER_HEALTH_PORT", Integer.toString(io.promfetcher.testkit.FreePort.find()));
        return env;
    }

    long pid() {
        return process.pid();
    }

    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -s " + name + " failed");
        }
    }

    /** Waits for the exit code; fails the test if the process is still running after the timeout. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the gateway did not exit within " + timeout);
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    String stdout() throws IOException {
        return Files.readString(stdout);
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** Polls until the URL answers at all (any status). */
    static void awaitListening(String url, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                get(url, Map.of());
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError(url + " did not answer within " + timeout);
    }

    static HttpResponse<String> get(String url, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
