package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.testkit.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped Prometheus files pass the real promtool (Debian's prometheus 2.42). */
class PrometheusFilesIT {
    @TempDir
    Path dir;

    private static Promtool.Verdict promtool(String... args) {
        return Promtool.run(List.of(args), new byte[0]);
    }

    @Test
    void theServiceDiscoveryConfigurationAndItsRuleFilePassCheckConfig() {
        Promtool.Verdict verdict = promtool("promtool", "check", "config", ShippedFiles.prometheusConfig().toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isZero();
        assertThat(verdict.output()).contains("1 rule files found");
    }

    @Test
    void theShardConfigurationAndItsRuleFilePassCheckConfig() {
        Promtool.Verdict verdict = promtool("promtool", "check", "config", ShippedFiles.shardedPrometheusConfig().toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isZero();
        assertThat(verdict.output()).contains("1 rule files found");
    }

    @Test
    void theSingleAppExamplePassesCheckConfig() {
        Promtool.Verdict verdict = promtool("promtool", "check", "config", ShippedFiles.singleAppConfig().toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isZero();
    }

    @Test
    void theProtectedAppsExamplePassesCheckConfigOnceItsSecretFilesExist() throws IOException {
        // It names secret files the operator creates; point them at files that exist here.
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("payments-metrics-password"), "s3cret\n");
        Files.writeString(secrets.resolve("billing-api-token"), "t0ken\n");
        String config = Files.readString(ShippedFiles.protectedAppsConfig())
                .replace("/etc/prometheus/secrets/", secrets + "/");
        Path copy = Files.writeString(dir.resolve("protected-apps.yml"), config);

        Promtool.Verdict verdict = promtool("promtool", "check", "config", copy.toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isZero();
    }

    @Test
    void theAlertRulesPassCheckRules() {
        Promtool.Verdict verdict = promtool("promtool", "check", "rules", ShippedFiles.alertRules().toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isZero();
        assertThat(verdict.output()).containsPattern("SUCCESS: \\d+ rules found");
    }

    @Test
    void theAlertRulesFireAsTheirUnitTestsExpect() {
        Promtool.Verdict verdict = promtool("promtool", "test", "rules",
                ShippedFiles.prometheusDir().resolve("promfetcher-alerts.test.yml").toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isZero();
        assertThat(verdict.output()).contains("SUCCESS");
    }

    @Test
    void theRuleUnitTestsCatchAChangedThresholdSoTheyCanFail() throws IOException {
        String loosened = Files.readString(ShippedFiles.alertRules()).replace(") > 0.2", ") > 0.5");
        assertThat(loosened).isNotEqualTo(Files.readString(ShippedFiles.alertRules()));
        Files.writeString(dir.resolve("promfetcher-alerts.yml"), loosened);
        Path tests = Files.copy(ShippedFiles.prometheusDir().resolve("promfetcher-alerts.test.yml"),
                dir.resolve("promfetcher-alerts.test.yml"));

        Promtool.Verdict verdict = promtool("promtool", "test", "rules", tests.toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isNotZero();
        assertThat(verdict.output()).contains("PromfetcherAppInstancesFailing");
    }

    @Test
    void checkRulesRejectsABrokenExpressionSoThisCheckCanFail() throws IOException {
        String broken = Files.readString(ShippedFiles.alertRules())
                .replace("promfetcher_nats_connected{job=\"promfetcher\"} == 0", "promfetcher_nats_connected{job=\"promfetcher\" == 0");
        Path copy = Files.writeString(dir.resolve("broken-alerts.yml"), broken);

        Promtool.Verdict verdict = promtool("promtool", "check", "rules", copy.toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isNotZero();
    }

    @Test
    void checkConfigRejectsAScrapeTimeoutLongerThanTheIntervalSoThisCheckCanFail() throws IOException {
        String broken = Files.readString(ShippedFiles.singleAppConfig()).replace("scrape_timeout: 20s", "scrape_timeout: 60s");
        Path copy = Files.writeString(dir.resolve("broken.yml"), broken);

        Promtool.Verdict verdict = promtool("promtool", "check", "config", copy.toString());

        assertThat(verdict.exitCode()).as(verdict.output()).isNotZero();
    }
}
