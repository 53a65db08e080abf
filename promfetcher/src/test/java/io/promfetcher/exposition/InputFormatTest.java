package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which parser an instance's Content-Type selects. */
class InputFormatTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "application/openmetrics-text; version=1.0.0; charset=utf-8 | OPENMETRICS_TEXT",
        "application/openmetrics-text;version=0.0.1 | OPENMETRICS_TEXT",
        "Application/OpenMetrics-Text | OPENMETRICS_TEXT",
        "text/plain; version=0.0.4; charset=utf-8 | PROMETHEUS_TEXT",
        "text/plain | PROMETHEUS_TEXT",
        "TEXT/PLAIN;version=1.0.0;escaping=allow-utf-8 | PROMETHEUS_TEXT",
        "text/html | NONE",
        "application/json | NONE",
        "'' | NONE",
        "garbage | NONE",
    })
    void readsTheFormatFromTheContentType(String contentType, String expected) {
        assertThat(InputFormat.fromContentType(contentType).map(Enum::name).orElse("NONE")).isEqualTo(expected);
    }
}
