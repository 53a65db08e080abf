package io.promfetcher.exposition;

import static io.promfetcher.exposition.ExpositionFormat.OPENMETRICS_TEXT;
import static io.promfetcher.exposition.ExpositionFormat.PROMETHEUS_TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Accept negotiation: format by q-value and specificity, text version, escaping, Content-Type. */
class NegotiationTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        // What Prometheus 2.x sends by default.
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | OPENMETRICS_TEXT",
        // What Prometheus 3.x sends by default.
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1 | OPENMETRICS_TEXT",
        "text/plain;version=0.0.4;q=0.9, application/openmetrics-text;q=0.5 | PROMETHEUS_TEXT",
        "application/openmetrics-text; version=0.0.1 | OPENMETRICS_TEXT",
        "application/openmetrics-text;q=0 , */* | PROMETHEUS_TEXT",
        "application/openmetrics-text;version=2.0.0 | PROMETHEUS_TEXT",
        "*/* | PROMETHEUS_TEXT",
        "application/* | OPENMETRICS_TEXT",
        "text/html | PROMETHEUS_TEXT",
        "NULL | PROMETHEUS_TEXT",
        "'' | PROMETHEUS_TEXT",
        "garbage;;;,=,/ | PROMETHEUS_TEXT",
        "text/plain;q=abc, application/openmetrics-text | OPENMETRICS_TEXT",
        "APPLICATION/OpenMetrics-Text;Version=\"1.0.0\" | OPENMETRICS_TEXT",
        "text/plain, application/openmetrics-text | PROMETHEUS_TEXT",
    })
    void choosesByWeightThenSpecificityThenText(String accept, ExpositionFormat expected) {
        assertThat(Negotiation.choose(accept)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "text/plain;version=0.0.4;q=0.5 | 0.5",
        "text/plain;charset=\"utf-8;x\";q=0.25 | 0.25",
    })
    void readsWeightsAndQuotedParameters(String accept, double q) {
        assertThat(MediaRange.parseAccept(accept)).singleElement()
                .satisfies(range -> assertThat(range.q()).isEqualTo(q));
    }

    @org.junit.jupiter.api.Test
    void contentTypesCarryTheirVersion() {
        assertThat(PROMETHEUS_TEXT.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(OPENMETRICS_TEXT.contentType()).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        // Prometheus 3.x default.
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1 | application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
        // Prometheus 2.x default: no escaping asked, legacy names.
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores",
        "text/plain;version=1.0.0;escaping=allow-utf-8 | text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
        "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2 | text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
        "text/plain;version=0.0.4;q=0.9,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3 | text/plain; version=0.0.4; charset=utf-8",
        "text/plain;version=0.0.4;escaping=allow-utf-8 | text/plain; version=0.0.4; charset=utf-8",
        "application/openmetrics-text;escaping=values | application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values",
        "application/openmetrics-text;escaping=dots | application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots",
        "application/openmetrics-text;escaping=bogus | application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores",
        // Protobuf when it weighs most: what Prometheus 2.42 sends with native histograms enabled.
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.9,text/plain;version=0.0.4;q=0.5 | application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;escaping=allow-utf-8 | application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=allow-utf-8",
        // Only the delimited MetricFamily stream: the text encoding or another message is not ours.
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text,text/plain;q=0.5 | text/plain; version=0.0.4; charset=utf-8",
        "application/vnd.google.protobuf;proto=other.Message | text/plain; version=0.0.4; charset=utf-8",
    })
    void negotiatesVersionAndEscapingIntoTheContentType(String accept, String contentType) {
        assertThat(Negotiation.negotiate(accept).contentType()).isEqualTo(contentType);
    }

    @org.junit.jupiter.api.Test
    void textZeroZeroFourCannotCarryQuotedNames() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new OutputFormat(PROMETHEUS_TEXT, "0.0.4", EscapingScheme.ALLOW_UTF_8))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new OutputFormat(OPENMETRICS_TEXT, "2.0.0", EscapingScheme.UNDERSCORES))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "my.metric | UNDERSCORES | my_metric",
        "my.metric | DOTS | my_dot_metric",
        "my_metric | DOTS | my__metric",
        "my.metric | VALUES | U__my_2e_metric",
        "my_metric | VALUES | my_metric",
        "0ab | UNDERSCORES | _ab",
        "héllo | VALUES | U__h_e9_llo",
        "my.metric | ALLOW_UTF_8 | my.metric",
    })
    void escapesNamesLikePrometheus(String name, EscapingScheme scheme, String escaped) {
        assertThat(scheme.escape(name, true)).isEqualTo(escaped);
    }
}
