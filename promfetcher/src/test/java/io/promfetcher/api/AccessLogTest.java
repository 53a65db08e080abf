package io.promfetcher.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogTest {

    @Test
    void keepsTheGatewaysOwnParameters() {
        assertThat(AccessLog.safeTarget("/v1/apps/metrics?app=o/s/a&metric_path=/prom"))
                .isEqualTo("/v1/apps/metrics?app=o/s/a&metric_path=/prom");
    }

    @Test
    void masksOtherQueryValuesBecauseTheyMayBeCredentials() {
        assertThat(AccessLog.safeTarget("/v1/apps/x/metrics?token=s3cr3t&app=a&password=p"))
                .isEqualTo("/v1/apps/x/metrics?token=***&app=a&password=***");
    }

    @Test
    void escapesControlCharactersSoNoLineCanBeForged() {
        assertThat(AccessLog.safeTarget("/a\r\nGET /fake 200")).isEqualTo("/a\\x0d\\x0aGET /fake 200");
    }

    @Test
    void truncatesVeryLongTargets() {
        assertThat(AccessLog.safeTarget("/" + "x".repeat(5000))).hasSize(513).endsWith("…");
    }
}
