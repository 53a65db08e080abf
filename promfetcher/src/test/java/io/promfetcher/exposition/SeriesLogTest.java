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
}
