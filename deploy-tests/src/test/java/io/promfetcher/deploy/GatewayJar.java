package io.promfetcher.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the gateway's own jar (promfetcher/target/promfetcher.jar), as the deployments do. */
final class GatewayJar {
    private GatewayJar() {}

    /** Exit code and combined output of a finished run. */
    record Result(int exitCode, String output) {}

    static Path jar() {
        Path jar = Path.of(System.getProperty("promfetcher.jar", "../promfetcher/target/promfetcher.jar"));
        if (!jar.toFile().isFile()) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -pl promfetcher -am package");
        }
        return jar;
    }

    /** A process builder for the jar, with no PROMFETCHER_* or PORT variables inherited from this JVM. */
    static ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("PROMFETCHER_") || k.equals("PORT"));
        builder.environment().putAll(env);
        return builder;
    }

    /** {@code --check-config}, with a configuration file or none. */
    static Result checkConfig(Map<String, String> env, String... configArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(configArgs));
        args.add("--check-config");
        return run(builder(env, args.toArray(String[]::new)));
    }

    static Result run(ProcessBuilder builder) throws IOException, InterruptedException {
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(builder.command() + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }
}
