package io.promfetcher.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    @Test
    void holdsTakeWhatFitsAndGiveBackOnce() {
        MemoryBudget budget = new MemoryBudget(100);
        MemoryBudget.Hold a = budget.hold();
        MemoryBudget.Hold b = budget.hold();

        assertThat(a.tryGrow(60)).isTrue();
        assertThat(b.tryGrow(50)).isFalse();
        assertThat(b.tryGrow(40)).isTrue();
        assertThat(budget.used()).isEqualTo(100);
        a.shrink(10);
        assertThat(budget.used()).isEqualTo(90);
        a.release();
        a.release();
        assertThat(budget.used()).isEqualTo(40);
        b.release();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aReleasedHoldTakesNothingMore() {
        MemoryBudget budget = new MemoryBudget(100);
        MemoryBudget.Hold hold = budget.hold();
        hold.release();

        assertThat(hold.tryGrow(10)).isFalse();
        assertThat(budget.used()).isZero();
    }

    @Test
    void zeroMeansHalfTheHeap() {
        assertThat(MemoryBudget.configuredLimit(0)).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
        assertThat(MemoryBudget.configuredLimit(123)).isEqualTo(123);
    }
}
