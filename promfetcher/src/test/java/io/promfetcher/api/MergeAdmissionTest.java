package io.promfetcher.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.exposition.FailureReason;
import io.promfetcher.exposition.TargetLabels;
import io.promfetcher.scrape.MemoryBudget;
import io.promfetcher.scrape.ScrapeOutcome;
import io.promfetcher.scrape.ScrapeTarget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How merged output is admitted into the one memory budget, instance by instance. */
class MergeAdmissionTest {
    private static TargetLabels labels(int index) {
        return new TargetLabels("org-1", "thux", "space-1", "local", "app-1", "resolver",
                Integer.toString(index), Integer.toString(index), "10.0.0.1:" + (61000 + index));
    }

    /** A received body holding its share of the budget, as the scrape client hands it on. */
    private static ScrapeOutcome.Success<TargetLabels> received(MemoryBudget budget, int index, int samples) {
        byte[] body = "up 1\n".repeat(samples).getBytes(StandardCharsets.UTF_8);
        MemoryBudget.Hold hold = budget.hold();
        assertThat(hold.tryGrow(body.length)).isTrue();
        return new ScrapeOutcome.Success<>(ScrapeTarget.http(labels(index), "10.0.0.1", 61000 + index, ""),
                body, "text/plain; version=0.0.4", Duration.ofMillis(5), hold);
    }

    @Test
    void everyInstanceWhoseOutputFitsIsMergedAndHoldsItsShare() {
        MemoryBudget budget = new MemoryBudget(10 << 20);
        List<ScrapeOutcome<TargetLabels>> outcomes = List.of(received(budget, 0, 100), received(budget, 1, 100));
        MemoryBudget.Hold output = budget.hold();

        AppMetricsEndpoint.Admitted admitted = AppMetricsEndpoint.admit(outcomes, output, budget.limit());

        assertThat(admitted.refused()).isZero();
        assertThat(admitted.outcomes()).containsExactlyElementsOf(outcomes);
        long expected = AppMetricsEndpoint.outputEstimate((ScrapeOutcome.Success<TargetLabels>) outcomes.get(0)) * 2;
        assertThat(output.bytes()).isGreaterThan(expected); // plus the scrape status lines
        assertThat(budget.used()).isEqualTo(output.bytes() + 2 * 500);
    }

    @Test
    void anInstanceWhoseOutputDoesNotFitIsTooLargeAndGivesItsBodyBackWhileTheOthersMerge() {
        ScrapeOutcome.Success<TargetLabels> probe = received(new MemoryBudget(1 << 20), 0, 1000);
        long share = AppMetricsEndpoint.outputEstimate(probe);
        // Room for two bodies, the status lines and one instance's output, not two.
        MemoryBudget budget = new MemoryBudget(2 * 5000 + 8192 + share + share / 2);
        ScrapeOutcome.Success<TargetLabels> first = received(budget, 0, 1000);
        ScrapeOutcome.Success<TargetLabels> second = received(budget, 1, 1000);
        MemoryBudget.Hold output = budget.hold();

        AppMetricsEndpoint.Admitted admitted = AppMetricsEndpoint.admit(List.of(first, second), output, budget.limit());

        assertThat(admitted.refused()).isEqualTo(1);
        assertThat(admitted.outcomes().get(0)).isSameAs(first);
        ScrapeOutcome.Failure<TargetLabels> refused = (ScrapeOutcome.Failure<TargetLabels>) admitted.outcomes().get(1);
        assertThat(refused.reason()).isEqualTo(FailureReason.TOO_LARGE);
        assertThat(refused.detail()).contains("beside other requests'").contains("scrape.max_buffered_bytes");
        assertThat(second.memory().bytes()).isZero();
        assertThat(budget.used()).isEqualTo(first.memory().bytes() + output.bytes());
        output.release();
        first.memory().release();
        assertThat(budget.used()).isZero();
    }

    @Test
    void anInstanceLargerThanTheWholeBudgetSaysSo() {
        MemoryBudget budget = new MemoryBudget(8000);
        ScrapeOutcome.Success<TargetLabels> big = received(budget, 0, 1000);
        MemoryBudget.Hold output = budget.hold();

        AppMetricsEndpoint.Admitted admitted = AppMetricsEndpoint.admit(List.of(big), output, budget.limit());

        assertThat(((ScrapeOutcome.Failure<TargetLabels>) admitted.outcomes().get(0)).detail())
                .contains("is larger than the memory for bodies and merged output");
        assertThat(budget.used()).isEqualTo(output.bytes());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "\n", "a", "a 1\n", "a 1\nb 2", "1234567\n", "12345678\n\n\n",
        "\n\n\n\n\n\n\n\n\n", "é\u00ff\n\u0100x\n", "# HELP x y\n# TYPE x counter\nx_total{a=\"\\n\"} 1\n"})
    void linesAreCountedExactlyEightBytesAtATime(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long expected = text.chars().filter(c -> c == '\n').count();
        assertThat(AppMetricsEndpoint.lines(bytes)).isEqualTo(expected);
        byte[] all = new byte[256 * 3 + 5]; // every byte value, at every offset within a word
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 7);
        }
        long newlines = 0;
        for (byte b : all) {
            newlines += b == '\n' ? 1 : 0;
        }
        assertThat(AppMetricsEndpoint.lines(all)).isEqualTo(newlines);
    }
}
