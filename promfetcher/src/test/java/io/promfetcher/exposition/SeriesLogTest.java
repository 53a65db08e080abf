package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The duplicate-series log: hash collisions, order of "earlier", clearing. */
class SeriesLogTest {

    @Test
    void aHashCollisionBetweenDifferentSeriesHidesNoDuplicate() {
        SeriesLog log = new SeriesLog();
        // Offsets 10 and 30 are one series, 20 another; all three share a hash.
        log.add(42, 30);
        log.add(42, 10);
        log.add(42, 20);
        List<Integer> duplicates = new ArrayList<>();
        log.forEachDuplicate((earlier, later) -> earlier % 20 == later % 20, duplicates::add);
        assertThat(duplicates).containsExactly(30);
    }

    @Test
    void theEarlierOffsetIsKeptWhateverTheOrderOfAdding() {
        SeriesLog log = new SeriesLog();
        for (int i = 5000; i > 0; i--) {
            log.add(i % 7, i);
        }
        List<Integer> duplicates = new ArrayList<>();
        log.forEachDuplicate((earlier, later) -> {
            assertThat(earlier).isLessThan(later);
            return true;
        }, duplicates::add);
        assertThat(duplicates).hasSize(5000 - 7).doesNotContain(1, 2, 3, 4, 5, 6, 7);
        log.clear();
        log.add(1, 1);
        List<Integer> none = new ArrayList<>();
        log.forEachDuplicate((earlier, later) -> true, none::add);
        assertThat(none).isEmpty();
    }

    @Test
    void aLargeLogAddedInOrderFindsEveryDuplicateOnceAndKeepsTheEarliest() {
        SeriesLog log = new SeriesLog();
        // 20,000 samples of 3,000 series (offset % 3000), hashes colliding in groups of seven series.
        for (int offset = 0; offset < 20_000; offset++) {
            int series = offset % 3000;
            log.add(series / 7, offset);
        }
        List<Integer> duplicates = new ArrayList<>();
        log.forEachDuplicate((earlier, later) -> {
            assertThat(earlier).isLessThan(later);
            return earlier % 3000 == later % 3000;
        }, duplicates::add);
        assertThat(duplicates).hasSize(20_000 - 3000).doesNotHaveDuplicates().allMatch(o -> o >= 3000);
    }
}
