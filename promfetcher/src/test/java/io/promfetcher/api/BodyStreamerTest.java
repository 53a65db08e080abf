package io.promfetcher.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BodyStreamerTest {

    @ParameterizedTest(name = "Accept-Encoding ''{0}'' accepts gzip: {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL | false",
        "'' | false",
        "gzip | true",
        "GZIP | true",
        "x-gzip | true",
        "identity | false",
        "deflate, gzip;q=0.5 | true",
        "gzip;q=0 | false",
        "gzip; q=0.0, deflate | false",
        "* | true",
        "*;q=0 | false",
        "gzip;q=0, * | false",
        "br, * | true",
        "gzip;q=nonsense | false",
        "identity;q=1, gzip ; q = 0.001 | true",
    })
    void acceptsGzipOnlyWhenTheCallerSaysSo(String acceptEncoding, boolean expected) {
        assertThat(BodyStreamer.acceptsGzip(acceptEncoding)).isEqualTo(expected);
    }
}
