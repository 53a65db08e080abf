package io.promfetcher.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Every codec the compression benchmark measures writes gzip that Prometheus could read back. */
class CompressionBenchmarkTest {
    @Test
    void everyCodecWritesGzipThatDecompressesToTheMergedOutput() throws IOException {
        byte[] merged = CompressionBenchmark.mergedOutput("python-client-0.16.txt");
        assertThat(merged.length).isGreaterThan(10 * 6000);

        for (CompressionBenchmark.Codec codec : CompressionBenchmark.Codec.values()) {
            byte[] gzip = codec.gzip(merged);
            // GZIPInputStream reads concatenated members, as Go's gzip reader (Prometheus) does.
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
                assertThat(in.readAllBytes()).as(codec.name()).isEqualTo(merged);
            }
            assertThat(gzip.length).as(codec.name()).isLessThan(merged.length);
        }
    }

    @Test
    void theMembersCodecsReallyWriteTwoGzipMembers() throws IOException {
        byte[] merged = CompressionBenchmark.mergedOutput("python-client-0.16.txt");

        byte[] gzip = CompressionBenchmark.Codec.PARALLEL_MEMBERS_L1.gzip(merged);

        int headers = 0;
        for (int i = 0; i + 2 < gzip.length; i++) {
            if (gzip[i] == 0x1f && gzip[i + 1] == (byte) 0x8b && gzip[i + 2] == 8) {
                headers++;
            }
        }
        assertThat(headers).isGreaterThanOrEqualTo(2);
    }
}
