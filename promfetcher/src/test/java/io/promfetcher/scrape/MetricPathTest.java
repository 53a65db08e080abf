package io.promfetcher.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MetricPathTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "/metrics",
            "/actuator/prometheus",
            "/metrics/",
            "/a-b_c.d~e/f:g",
            "/metrics;v=1",
            "/federate?match[]={job=\"node\"}",
            "/metrics?format=prometheus&x=1",
            "/caf%C3%A9/metrics",
            "/..metrics/x..y/...",
            "/metrics?next=/a/../b",
            "/v1/applications/metrics",
            "/api/v1/apps/metrics",
    })
    void acceptsPlainAbsolutePaths(String path) {
        assertThat(MetricPath.validate(path).value()).isEqualTo(path);
    }

    static Stream<Arguments> ssrfAttempts() {
        return Stream.of(
                Arguments.of("", "empty"),
                Arguments.of("metrics", "absolute path"),
                Arguments.of("http://evil.example.com/metrics", "absolute path"),
                Arguments.of("https://169.254.169.254/latest/meta-data", "absolute path"),
                Arguments.of("HTTP://evil/", "absolute path"),
                Arguments.of("file:///etc/passwd", "absolute path"),
                Arguments.of("evil.example.com:80/metrics", "absolute path"),
                Arguments.of("@evil.example.com/metrics", "absolute path"),
                Arguments.of("//evil.example.com/metrics", "'//'"),
                Arguments.of("///evil.example.com", "'//'"),
                Arguments.of("/@evil.example.com/metrics", "'@'"),
                Arguments.of("/metrics@evil.example.com", "'@'"),
                Arguments.of("/..", "'..' segments"),
                Arguments.of("/../admin", "'..' segments"),
                Arguments.of("/metrics/../../admin", "'..' segments"),
                Arguments.of("/metrics/..", "'..' segments"),
                Arguments.of("/./metrics", "'..' segments"),
                Arguments.of("/%2e%2e/admin", "'..' segments"),
                Arguments.of("/%2E%2E/admin", "'..' segments"),
                Arguments.of("/.%2e/admin", "'..' segments"),
                Arguments.of("/%2e./admin", "'..' segments"),
                Arguments.of("/..;/admin", "'..' segments"),
                Arguments.of("/%2e%2e;x=1/admin", "'..' segments"),
                Arguments.of("/metrics%2f..%2f..%2fadmin", "encoded slash"),
                Arguments.of("/metrics%2F..", "encoded slash"),
                Arguments.of("/..%5cadmin", "encoded slash"),
                Arguments.of("/%252e%252e/admin", "double-encoded"),
                Arguments.of("/metrics\\..\\admin", "backslash"),
                Arguments.of("/metrics\r\nHost: evil.example.com", "control character"),
                Arguments.of("/metrics\nX: y", "control character"),
                Arguments.of("/metrics\u0000", "control character"),
                Arguments.of("/metrics%0d%0aHost:%20evil.example.com", "encoded control character (%0d)"),
                Arguments.of("/metrics%0D%0AX-Injected:%201", "encoded control character (%0D)"),
                Arguments.of("/metrics%0aX:1", "encoded control character (%0a)"),
                Arguments.of("/metrics?x=%0d%0aHost:evil", "encoded control character"),
                Arguments.of("/metrics%00", "encoded control character"),
                Arguments.of("/metrics%7f", "encoded control character"),
                Arguments.of("/metrics HTTP/1.1", "space"),
                Arguments.of("/métrics", "non-ASCII"),
                Arguments.of("/metrics#fragment", "fragment"),
                Arguments.of("/metrics%", "malformed percent-escape"),
                Arguments.of("/metrics%2", "malformed percent-escape"),
                Arguments.of("/metrics%zz", "malformed percent-escape"),
                Arguments.of("/metrics<script>", "not allowed in a URL path"),
                Arguments.of("/" + "a".repeat(MetricPath.MAX_LENGTH), "longer than 1024"),
                Arguments.of("/" + "%2e".repeat(100_000), "longer than 1024"),
                Arguments.of("/v1/apps/o/s/a/metrics", "gateway's own app endpoints"),
                Arguments.of("/v2/apps/6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70/metrics", "gateway's own app endpoints"),
                Arguments.of("/V1/Apps/metrics?app=o/s/a", "gateway's own app endpoints"),
                Arguments.of("/v1/%61pps/o/s/a/metrics", "gateway's own app endpoints"),
                Arguments.of("/v1/apps", "gateway's own app endpoints"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("ssrfAttempts")
    void refusesEverySsrfAttemptWithAClearMessage(String path, String messagePart) {
        assertThatThrownBy(() -> MetricPath.validate(path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metric_path")
                .hasMessageContaining(messagePart);
    }

    @ParameterizedTest
    @ValueSource(ints = {MetricPath.MAX_LENGTH - 1, MetricPath.MAX_LENGTH})
    void acceptsPathsUpToTheLengthLimit(int length) {
        String path = "/" + "m".repeat(length - 1);
        assertThat(MetricPath.validate(path).value()).hasSize(length);
    }

    @org.junit.jupiter.api.Test
    void refusesNull() {
        assertThatThrownBy(() -> MetricPath.validate(null)).hasMessageContaining("empty");
    }

    @org.junit.jupiter.api.Test
    void defaultIsSlashMetrics() {
        assertThat(MetricPath.DEFAULT.value()).isEqualTo("/metrics");
    }
}
