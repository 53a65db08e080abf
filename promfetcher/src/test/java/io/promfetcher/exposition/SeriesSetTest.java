package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The duplicate-series table: hash collisions, clearing and growth. */
class SeriesSetTest {

    @Test
    void aHashCollisionBetweenDifferentSeriesHidesNoDuplicate() {
        SeriesSet set = new SeriesSet();
        assertThat(set.putIfAbsent(42, 10, earlier -> false)).isEqualTo(-1);
        // Same hash, different series: kept and remembered.
        assertThat(set.putIfAbsent(42, 20, earlier -> false)).isEqualTo(-1);
        // A duplicate of the second is still found behind the first.
        assertThat(set.putIfAbsent(42, 30, earlier -> earlier == 20)).isEqualTo(20);
    }

    @Test
    void clearingForgetsEverythingAndGrowingKeepsEverything() {
        SeriesSet set = new SeriesSet();
        for (int i = 0; i < 5000; i++) {
            assertThat(set.putIfAbsent(i * 0x9E3779B97F4A7C15L, i, earlier -> true)).isEqualTo(-1);
        }
        for (int i = 0; i < 5000; i++) {
            int expected = i;
            assertThat(set.putIfAbsent(i * 0x9E3779B97F4A7C15L, 99999, earlier -> earlier == expected)).isEqualTo(i);
        }
        set.clear();
        assertThat(set.putIfAbsent(0, 1, earlier -> true)).isEqualTo(-1);
        assertThat(set.putIfAbsent(0x9E3779B97F4A7C15L, 1, earlier -> true)).isEqualTo(-1);
    }
}
