package io.promfetcher.exposition;

import static io.promfetcher.exposition.PrometheusTextParserTest.unescape;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven: OpenMetrics inputs and what the parser reads, or the error and its position. */
class OpenMetricsParserTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        # TYPE foo_seconds counter\\n# UNIT foo_seconds seconds\\n# HELP foo_seconds Help \\\\"q\\\\"\\nfoo_seconds_total{a="b"} 1 1700000000.5 # {trace_id="abc"} 0.5 1700000000.1\\nfoo_seconds_created{a="b"} 1.7e9\\n# EOF\\n | TYPE foo_seconds counter ; UNIT foo_seconds seconds ; HELP foo_seconds Help "q" ; SAMPLE foo_seconds_total{a=b} 1 @1700000000.5 #{trace_id=abc} 0.5 @1700000000.1 ; SAMPLE foo_seconds_created{a=b} 1.7e9
        foo 1\\n# EOF                                          | SAMPLE foo 1
        # EOF\\n                                               | ''
        # TYPE a info\\n# TYPE b stateset\\n# TYPE c gaugehistogram\\n# TYPE d unknown\\n# EOF\\n | TYPE a info ; TYPE b stateset ; TYPE c gaugehistogram ; TYPE d unknown
        {"my.metric",a="b"} 1\\n{"x.y"} 2\\n# EOF\\n         | SAMPLE my.metric{a=b} 1 ; SAMPLE x.y 2
        # TYPE "my.metric" gauge\\n# EOF\\n                   | TYPE my.metric gauge
        c_bucket{le="+Inf"} 3 # {} 1\\n# EOF\\n               | SAMPLE c_bucket{le=+Inf} 3 #{} 1
        # HELP foo \\n# HELP bar \\\\x\\n# EOF\\n                | HELP foo '' ; HELP bar \\x
        foo 1 12345678901234567890\\nbar 1 1e20\\n# EOF\\n    | SAMPLE foo 1 @12345678901234567890 ; SAMPLE bar 1 @1e20
        foo{a="\\\\q"} 1\\n# EOF\\n                         | SAMPLE foo{a=\\q} 1
        foo NaN\\nbar -Inf\\nbaz +inf 0\\n# EOF\\n              | SAMPLE foo NaN ; SAMPLE bar -Inf ; SAMPLE baz +inf @0
        # UNIT foo_bytes bytes\\n# UNIT bar \\n# EOF\\n         | UNIT foo_bytes bytes ; UNIT bar ''
        """)
    void readsValidInput(String input, String expected) {
        assertThat(Entries.of(InputFormat.OPENMETRICS_TEXT, unescape(input))).isEqualTo(expected.replace(" ; ", " | "));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        foo 1\\n                                  | 2:1 missing # EOF at the end
        ''                                        | 1:1 missing # EOF at the end
        # EOF\\nfoo 1\\n                          | 2:1 unexpected content after # EOF
        # EOF\\n\\n                               | 2:1 unexpected content after # EOF
        foo 1\\n\\n# EOF\\n                       | 2:1 empty line
        # hello\\n# EOF\\n                        | 1:1 comment lines other than HELP, TYPE, UNIT and EOF are not allowed in OpenMetrics
        foo  1\\n# EOF\\n                         | 1:5 expected value
        foo{a="b",} 1\\n# EOF\\n                  | 1:10 trailing comma in label set
        foo{a="b", c="d"} 1\\n# EOF\\n            | 1:11 expected a label name
        # UNIT foo seconds\\n# EOF\\n             | 1:12 unit seconds is not the suffix of the metric name
        # UNIT foo_seconds sec-onds\\n# EOF\\n    | 1:23 invalid character in unit
        foo_total 1 # {a="b"}\\n# EOF\\n          | 1:22 expected a space before the exemplar value
        foo_total 1 # a\\n# EOF\\n                | 1:13 expected an exemplar
        # TYPE foo untyped\\n# EOF\\n             | 1:12 unknown metric type untyped
        foo\\t1\\n# EOF\\n                        | 1:4 expected a space before the value
        foo 1 NaN\\n# EOF\\n                      | 1:7 invalid timestamp
        foo 1 1e400\\n# EOF\\n                    | 1:7 timestamp out of range
        # HELP foo\\n# EOF\\n                     | 1:11 expected text in HELP
        # UNIT foo\\n# EOF\\n                     | 1:11 expected text in UNIT
        foo 1                                     | 1:6 missing newline
        foo 1 \\n# EOF\\n                         | 1:7 invalid timestamp
        foo 1 2 3\\n# EOF\\n                      | 1:9 expected an exemplar
        # EOF\\n# EOF\\n                          | 2:1 unexpected content after # EOF
        # TYPE foo counter                        | 1:19 missing newline
        foo{a="b"}1\\n# EOF\\n                    | 1:11 expected a space before the value
        foo 1 # {a="b"} 1 1 1\\n# EOF\\n          | 1:20 unexpected text after the sample
        """)
    void refusesInvalidInputWithItsPosition(String input, String expected) {
        assertThat(Entries.errorOf(InputFormat.OPENMETRICS_TEXT, unescape(input))).isEqualTo(expected);
    }
}
