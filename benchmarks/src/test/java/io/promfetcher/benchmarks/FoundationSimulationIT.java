package io.promfetcher.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The foundation simulation's smoke mode (20 apps × 5 instances, seconds), so the program keeps working. */
class FoundationSimulationIT {
    @Test
    void aSmokeRunScrapesEveryAppAtTheFixedRateWithEveryInstanceMerged() throws Exception {
        FoundationSimulation.Report report = FoundationSimulation.run(FoundationSimulation.Settings.parse("smoke"));
        FoundationSimulation.print(report);

        OpenLoad.Result load = report.load();
        assertThat(load.failures()).isEmpty();
        assertThat(load.ok()).isEqualTo(load.due()).isEqualTo(40);
        assertThat(load.checked()).isPositive();
        assertThat(load.incomplete()).isZero();
        assertThat(load.p99()).isPositive();
        assertThat(report.gatewayCpuSeconds()).isPositive();
        assertThat(report.gatewayPeakRssKb()).isPositive();
        assertThat(report.sdBytes()).isGreaterThan(report.sdGzipBytes()).isPositive();
    }
}
