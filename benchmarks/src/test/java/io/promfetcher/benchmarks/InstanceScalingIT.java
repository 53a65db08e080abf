package io.promfetcher.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The instance-scaling benchmark's smoke mode (apps of 1 and 3 instances, a second each), so the program keeps working. */
class InstanceScalingIT {
    @Test
    void aSmokeRunMeasuresCpuPerMergedSampleForEachAppSize() throws Exception {
        List<InstanceScaling.Row> rows = InstanceScaling.smoke();
        InstanceScaling.print(rows, Path.of("python-client-0.16.txt"));

        assertThat(rows).extracting(InstanceScaling.Row::instances).containsExactly(1, 3);
        for (InstanceScaling.Row row : rows) {
            assertThat(row.failed()).isZero();
            assertThat(row.requests()).isPositive();
            assertThat(row.cpuMicrosPerSample()).isPositive();
        }
        // The same exposition per instance: three instances merge three times the samples of one.
        assertThat(rows.get(1).samplesPerAnswer()).isEqualTo(3 * rows.get(0).samplesPerAnswer());
    }
}
