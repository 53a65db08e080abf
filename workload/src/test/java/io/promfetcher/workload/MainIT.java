package io.promfetcher.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The jar refuses bad configuration with exactly one clear line on stderr and exit code 2. */
class MainIT {
    private record Outcome(int exitCode, List<String> stderr) {}

    private static Outcome run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", "target/workload.jar"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Outcome(process.exitValue(), stderr.lines().toList());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "resolver | PORT                     | eighty       | PORT=eighty is invalid: expected an integer from 0 to 65535",
        "resolver | INBOX_REDIS              | localhost    | INBOX_REDIS=localhost is invalid",
        "resolver | HOTLIST_REDIS            | redis://:0   | HOTLIST_REDIS=redis://:0 is invalid",
        "resolver | RESOLVER_HTTP_PROXY      | nowhere      | RESOLVER_HTTP_PROXY=nowhere is invalid: expected host:port",
        "resolver | RESOLVER_READ_TIMEOUT    | fast         | RESOLVER_READ_TIMEOUT=fast is invalid",
        "resolver | HOTLIST_AGEING           | forever      | HOTLIST_AGEING=forever is invalid: expected one of sliding, last-mention",
        "resolver | INSTANCE_INDEX           | -1           | INSTANCE_INDEX=-1 is invalid",
        "resolver | VCAP_APPLICATION         | {            | VCAP_APPLICATION is invalid",
        "resolver | NATS_URL                 | ::           | NATS_URL=:: is invalid",
        "tracker  | TRACKER_SOURCE           | twitter      | TRACKER_SOURCE=twitter is invalid",
        "tracker  | TRACKER_SOURCE           | replay:/none | TRACKER_SOURCE=replay:/none is invalid: cannot read",
        "tracker  | SYNTHETIC_LINKS          | 10           | SYNTHETIC_LINKS=10 is invalid",
        "tracker  | SYNTHETIC_RATE           | lots         | SYNTHETIC_RATE=lots is invalid",
        "cleaner  | CLEANER_INTERVAL         | 0            | CLEANER_INTERVAL=0 is invalid",
        "cleaner  | CLEANER_BATCH            | 0            | CLEANER_BATCH=0 is invalid",
        "frontend | FRONTEND_THREADS         | many         | FRONTEND_THREADS=many is invalid",
        "linkfarm | LINKFARM_HOP_LATENCY     | slow         | LINKFARM_HOP_LATENCY=slow is invalid",
    })
    void badValueGivesOneLineAndExitTwo(String service, String name, String value, String message) throws Exception {
        Outcome outcome = run(Map.of(name, value), service);
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.stderr()).hasSize(1);
        assertThat(outcome.stderr().get(0)).startsWith("thux " + service + ": " + message);
    }

    @ParameterizedTest
    @CsvSource({"nonsense", "''"})
    void unknownOrMissingServiceGivesUsageAndExitTwo(String service) throws Exception {
        Outcome outcome = service.isEmpty() ? run(Map.of()) : run(Map.of(), service);
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.stderr()).hasSize(1);
        assertThat(outcome.stderr().get(0)).contains("usage: java -jar workload.jar <tracker|resolver|cleaner|frontend|linkfarm>");
    }
}
