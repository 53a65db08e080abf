package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven: text 0.0.4 inputs and what the parser reads, or the error and its position. */
class PrometheusTextParserTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        # HELP foo Help text\\n# TYPE foo counter\\nfoo{a="b"} 1\\n    | HELP foo Help text ; TYPE foo counter ; SAMPLE foo{a=b} 1
        # HELP foo a\\\\\\\\b\\\\nc\\n                                 | HELP foo a\\b⏎c
        # HELP foo\\n                                                 | HELP foo ''
        \\n# a comment\\nfoo 1\\n  \\n\\n                              | COMMENT ; SAMPLE foo 1
        foo \\t{ a = "x" , } \\t 2.5e3 \\t 1234 \\n                   | SAMPLE foo{a=x} 2.5e3 @1234
        foo NaN\\nbar +Inf\\nbaz -Inf\\nqux Inf\\nq inf\\n             | SAMPLE foo NaN ; SAMPLE bar +Inf ; SAMPLE baz -Inf ; SAMPLE qux Inf ; SAMPLE q inf
        foo{a="x\\\\"y\\\\\\\\z\\\\n"} 1                              | SAMPLE foo{a=x"y\\z⏎} 1
        {"my.metric",a="b"} 1\\n{"other.metric"} 2                  | SAMPLE my.metric{a=b} 1 ; SAMPLE other.metric 2
        foo{"my.label"="v"} 1                                        | SAMPLE foo{my.label=v} 1
        # TYPE "my.metric" gauge\\n# HELP "my.metric" h              | TYPE my.metric gauge ; HELP my.metric h
        foo 1                                                        | SAMPLE foo 1
        foo{a="é✓"} -1.5e-3                                          | SAMPLE foo{a=é✓} -1.5e-3
        # EOF\\nfoo 1\\n                                             | COMMENT ; SAMPLE foo 1
        #HELP foo x\\n#\\tTYPE foo gauge\\n                          | COMMENT ; TYPE foo gauge
        foo{} 1\\nfoo:bar_baz 2 5\\n                                | SAMPLE foo 1 ; SAMPLE foo:bar_baz 2 @5
        # HELP foo a \\\\q \\\\" b\\n                            | HELP foo a \\q \\" b
        # HELP foo-bar x\\n                                      | HELP foo bar x
        # HELP\\n# TYPE\\n                                    | COMMENT ; COMMENT
        foo{a="b"}1\\nbar{ a="1" b="2" } 2\\n                    | SAMPLE foo{a=b} 1 ; SAMPLE bar{a=1,b=2} 2
        foo{a="x\\\\qy\\\\é"} 1\\n                                  | SAMPLE foo{a=x\\qy\\é} 1
        a 1\\n\\x00b 2\\n                                       | SAMPLE a 1
        {a="b","my.metric"} 1\\n                                 | SAMPLE my.metric{a=b} 1
        # TYPE foo untyped\\n# TYPE h histogram\\n# TYPE s summary\\n | TYPE foo unknown ; TYPE h histogram ; TYPE s summary
        ''                                                           | ''
        foo .5\\nbar 5.\\nbaz 1E+10\\n                             | SAMPLE foo .5 ; SAMPLE bar 5. ; SAMPLE baz 1E+10
        """)
    void readsValidInput(String input, String expected) {
        assertThat(Entries.of(InputFormat.PROMETHEUS_TEXT, unescape(input))).isEqualTo(expected.replace(" ; ", " | "));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        foo\\n                            | 1:4 expected a blank and a value
        foo 1 2 3\\n                      | 1:9 unexpected text after the timestamp
        foo{a="b} 1\\n                    | 1:12 unterminated quoted string
        foo 1 -5                          | 1:7 invalid timestamp
        foo 1 +5                          | 1:7 invalid timestamp
        foo 1e400                         | 1:5 value out of range
        foo abc                           | 1:5 invalid value
        foo 1 1.5                         | 1:7 invalid timestamp
        # TYPE foo blah                   | 1:12 unknown metric type blah
        # TYPE foo info                   | 1:12 unknown metric type info
        # TYPE foo counter extra          | 1:12 unknown metric type counter extra
        # TYPE foo  counter               | 1:12 unknown metric type  counter
        # TYPE foo                        | 1:11 expected a type after the metric name
        foo{a="1",a="2"} 1                | 1:11 duplicate label name a
        0foo 1                            | 1:1 expected a metric name
        foo{__name__="x"} 1               | 1:5 label name __name__ is reserved
        foo{a="\\xff"} 1                  | 1:8 invalid UTF-8
        foo{a="\\xc3\\x28"} 1             | 1:8 invalid UTF-8
        foo{a="\\xed\\xa0\\x80"} 1        | 1:8 invalid UTF-8
        '  foo 1'                         | 1:1 unexpected blank before the metric name
        foo 1\\nbar x\\n                  | 2:5 invalid value
        foo 1 99999999999999999999        | 1:7 invalid timestamp
        foo 1 9999999999999999999         | 1:7 timestamp out of range
        foo 0x1p3                         | 1:5 invalid value
        foo 1_000                         | 1:5 invalid value
        foo +NaN                          | 1:5 invalid value
        foo{a="b" 1                       | 1:11 expected a label name
        foo{a="b"1                        | 1:10 expected ',' or '}' in label set
        {a="b"} 1                         | 1:7 expected a metric name
        foo 1\\r\\n                       | 1:5 invalid value
        # HELP \\n                        | 1:8 expected a metric name after HELP
        foo{a=b} 1                        | 1:7 expected a quoted label value
        foo{a} 1                          | 1:6 expected '=' after label name
        foo{"a"} 1                        | 1:8 expected '=' after label name
        foo 1 # {a="b"} 1                 | 1:7 invalid timestamp
        {"",a="b"} 1                      | 1:2 empty metric name
        foo{""="b"} 1                     | 1:5 empty label name
        """)
    void refusesInvalidInputWithItsPosition(String input, String expected) {
        assertThat(Entries.errorOf(InputFormat.PROMETHEUS_TEXT, unescape(input))).isEqualTo(expected);
    }

    /** Table cells spell newline, tab, CR and bytes as \n, \t, \r, \xNN, and a backslash as \\. */
    static String unescape(String cell) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c != '\\' || i + 1 == cell.length()) {
                b.append(c);
                continue;
            }
            char n = cell.charAt(++i);
            switch (n) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'x' -> {
                    b.append((char) Integer.parseInt(cell.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> b.append(n);
            }
        }
        return b.toString();
    }
}
