package io.promfetcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

    @ParameterizedTest
    @CsvSource({
        "10s, PT10S", "500ms, PT0.5S", "1m30s, PT1M30S", "2h, PT2H", "1d, PT24H", "1.5s, PT1.5S",
        "250us, PT0.00025S", "0s, PT0S", " 15s , PT15S",
    })
    void readsDurationsInHumanUnits(String text, Duration expected) {
        assertThat(Units.parseDuration(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "ten seconds", "10 s", "s", "-5s", "10x", "1m30", "99999999999999d"})
    void refusesWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> Units.parseDuration(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"1024, 1024", "512KB, 524288", "50MB, 52428800", "1GiB, 1073741824", "16kb, 16384", "1.5MB, 1572864", "0, 0"})
    void readsSizesInHumanUnits(String text, long expected) {
        assertThat(Units.parseSize(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "-1MB", "12TB", "lots", "99999999999GB"})
    void refusesWhatIsNotASize(String text) {
        assertThatThrownBy(() -> Units.parseSize(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"15s", "1m30s", "250ms", "2h", "1h1m1s"})
    void formatsDurationsAsTheyAreRead(String text) {
        assertThat(Units.formatDuration(Units.parseDuration(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"16KB", "50MB", "1GB", "1000B"})
    void formatsSizesAsTheyAreRead(String text) {
        assertThat(Units.formatSize(Units.parseSize(text))).isEqualTo(text);
    }
}
