package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gateway app's environment, as Cloud Foundry would give it (PORT=8080, the manifest's env,
 * the example vars), is accepted by the gateway's own configuration check.
 */
class CfGatewayManifestIT {
    record Result(int exitCode, String output) {}

    static Result checkConfig(Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", gatewayJar().toString(), "--check-config"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("PROMFETCHER_") || k.equals("PORT"));
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("promfetcher --check-config did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path gatewayJar() {
        Path jar = Path.of(System.getProperty("promfetcher.jar", "../promfetcher/target/promfetcher.jar"));
        if (!jar.toFile().isFile()) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -pl promfetcher -am package");
        }
        return jar;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> cfEnvironment() throws IOException {
        Map<String, Object> vars = CfManifestTest.yaml(CfManifestTest.cf("promfetcher-vars.yml"));
        Map<String, Object> app = CfManifestTest.app(CfManifestTest.cf("promfetcher.yml"), "promfetcher");
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) app.get("env")).forEach((k, v) -> {
            String value = String.valueOf(v);
            for (Map.Entry<String, Object> var : vars.entrySet()) {
                value = value.replace("((" + var.getKey() + "))", String.valueOf(var.getValue()));
            }
            env.put(k, value);
        });
        env.put("PORT", "8080"); // what Cloud Foundry gives every app
        env.put("VCAP_APPLICATION", "{\"application_name\":\"promfetcher\",\"instance_index\":0}");
        return env;
    }

    @Test
    void theGatewayAcceptsTheEnvironmentCloudFoundryGivesIt() throws Exception {
        Result result = checkConfig(cfEnvironment());

        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void withoutMovingTheHealthPortTheGatewayWouldRefuseToStartOnCf() throws Exception {
        // Proves the check above can fail: CF's PORT=8080 collides with the default health port.
        Map<String, String> env = cfEnvironment();
        env.remove("PROMFETCHER_HEALTH_PORT");

        Result result = checkConfig(env);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("health_port");
    }
}
