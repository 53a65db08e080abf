package io.promfetcher.exposition;

import static io.promfetcher.exposition.Merging.merge;
import static io.promfetcher.exposition.Merging.om;
import static io.promfetcher.exposition.Merging.text;
import static io.promfetcher.exposition.ScrapeStatus.INCLUDED;
import static io.promfetcher.exposition.ScrapeStatus.OMITTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One test per merge rule of design §4 (and the §5 scrape status), on small hand-written bodies. */
class ExpositionMergerTest {
    private static final OutputFormat TEXT = OutputFormat.TEXT_0_0_4;
    private static final OutputFormat OPENMETRICS = OutputFormat.OPENMETRICS_1_0_0;

    /** Expected output with {Tn} standing for the target labels of instance n. */
    private static String expect(String template) {
        String s = template;
        for (int i = 0; i < 10; i++) {
            TargetLabels t = Merging.target(i);
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < TargetLabels.NAMES.size(); j++) {
                b.append(j == 0 ? "" : ",").append(TargetLabels.NAMES.get(j)).append("=\"").append(t.values().get(j))
                        .append('"');
            }
            s = s.replace("{T" + i + "}", b.toString());
        }
        return s;
    }

    @Test
    void eachFamilyAppearsOnceWithTheSamplesOfAllInstancesContiguous() {
        String a = "# HELP up_a A.\n# TYPE up_a gauge\nup_a{x=\"1\"} 1\n# TYPE b counter\nb 2\n";
        String b = "# TYPE b counter\nb 3\n# HELP up_a A.\n# TYPE up_a gauge\nup_a{x=\"2\"} 4\n";
        Merging.Result result = merge(TEXT, OMITTED, text(0, a), text(1, b));
        assertThat(result.output()).isEqualTo(expect("""
                # HELP up_a A.
                # TYPE up_a gauge
                up_a{x="1",{T0}} 1
                up_a{x="2",{T1}} 4
                # TYPE b counter
                b{{T0}} 2
                b{{T1}} 3
                """));
    }

    @Test
    void outputDoesNotDependOnTheOrderScrapesFinished() {
        InstanceScrape i0 = text(0, "# HELP m First.\nm 1\n");
        InstanceScrape i1 = text(1, "# HELP m Second.\nn 1\nm 2\n");
        InstanceScrape i10 = text(10, "z 1\nm 3\n");
        String forward = merge(TEXT, INCLUDED, i0, i1, i10).output();
        assertThat(merge(TEXT, INCLUDED, i10, i1, i0).output()).isEqualTo(forward);
        assertThat(merge(TEXT, INCLUDED, i1, i10, i0).output()).isEqualTo(forward);
        // Numeric order of index: 10 comes after 1, not between 1 and 2.
        assertThat(forward.indexOf("index=\"10\"")).isGreaterThan(forward.indexOf("index=\"1\""));
    }

    @Test
    void aTextCounterWithoutTotalKeepsItsNameInBothFormats() {
        String body = "# HELP foo Requests.\n# TYPE foo counter\nfoo 7\n";
        assertThat(merge(TEXT, OMITTED, text(0, body)).output())
                .isEqualTo(expect("# HELP foo Requests.\n# TYPE foo counter\nfoo{{T0}} 7\n"));
        // OpenMetrics would require foo_total: the family becomes unknown rather than renamed.
        assertThat(merge(OPENMETRICS, OMITTED, text(0, body)).output())
                .isEqualTo(expect("# TYPE foo unknown\n# HELP foo Requests.\nfoo{{T0}} 7\n# EOF\n"));
    }

    @Test
    void aTextCounterWithTotalIsAnOpenMetricsCounterOfTheSameSeries() {
        String body = "# TYPE foo_total counter\nfoo_total 7\n";
        assertThat(merge(OPENMETRICS, OMITTED, text(0, body)).output())
                .isEqualTo(expect("# TYPE foo counter\nfoo_total{{T0}} 7\n# EOF\n"));
        assertThat(merge(TEXT, OMITTED, text(0, body)).output())
                .isEqualTo(expect("# TYPE foo_total counter\nfoo_total{{T0}} 7\n"));
        // And it merges with an OpenMetrics instance exposing the same counter.
        Merging.Result mixed = merge(OPENMETRICS, OMITTED, text(0, body),
                om(1, "# TYPE foo counter\n# HELP foo Foos.\nfoo_total 8\n# EOF\n"));
        assertThat(mixed.output()).isEqualTo(expect(
                "# TYPE foo counter\n# HELP foo Foos.\nfoo_total{{T0}} 7\nfoo_total{{T1}} 8\n# EOF\n"));
    }

    @Test
    void aTypeConflictKeepsTheLowestIndexTypeAndEverySampleThatFitsIt() {
        // Prometheus scraping the instances stores every one of these series: so does the merge.
        Merging.Result result = merge(TEXT, INCLUDED,
                text(1, "# TYPE foo gauge\nfoo{a=\"x\"} 1\nfoo{a=\"y\"} 2\nbar 1\n"),
                text(0, "# TYPE foo counter\nfoo 5\n"));
        assertThat(result.output()).startsWith(expect("# TYPE foo counter\nfoo{{T0}} 5\nfoo{a=\"x\",{T1}} 1\n"
                + "foo{a=\"y\",{T1}} 2\n"));
        assertThat(result.outcome(1).conflicts()).isZero();
        assertThat(result.outcome(1).samples()).isEqualTo(3);
        // A sample whose name the family's type cannot carry is dropped, and counted: here an
        // OpenMetrics counter's _created beside a text gauge of its total's name.
        Merging.Result dropped = merge(OPENMETRICS, INCLUDED, text(0, "# TYPE c_total gauge\nc_total 1\n"),
                om(1, "# TYPE c counter\nc_total 2\nc_created 3\n# EOF\n"));
        assertThat(dropped.output()).contains(expect("c_total{{T1}} 2\n")).doesNotContain("c_created{");
        assertThat(dropped.outcome(1).conflicts()).isEqualTo(1);
        assertThat(dropped.outcome(1).up()).isTrue();
        assertThat(dropped.outcome(1).errorReason()).contains(FailureReason.CONFLICT);
        assertThat(dropped.output()).contains(expect("promfetcher_scrape_error{reason=\"conflict\",{T1}} 1\n"));
    }

    @Test
    void mixedFormatsOfOneFamilyAreOneFamily() {
        // A rolling upgrade: text gauge build_info is OpenMetrics info build; a stateset is a gauge.
        String text = "# TYPE build_info gauge\nbuild_info{v=\"1\"} 1\n# TYPE state gauge\nstate{state=\"a\"} 0\n";
        String om = "# TYPE build info\nbuild_info{v=\"2\"} 1\n# TYPE state stateset\nstate{state=\"a\"} 1\n# EOF\n";
        for (OutputFormat format : new OutputFormat[] {TEXT, OPENMETRICS}) {
            Merging.Result ab = merge(format, OMITTED, text(0, text), om(1, om));
            Merging.Result ba = merge(format, OMITTED, om(0, om), text(1, text));
            for (Merging.Result r : java.util.List.of(ab, ba)) {
                assertThat(r.report().instances()).allSatisfy(o -> assertThat(o.conflicts()).isZero());
                assertThat(r.output()).contains("build_info{v=\"1\"", "build_info{v=\"2\"");
                assertThat(r.output().split("state\\{state=\"a\"", -1)).hasSize(3);
            }
        }
    }

    @Test
    void aBucketBoundThatIsNotAFloatMakesTheTextFamilyUntyped() {
        // Prometheus stores le="bla"; promtool refuses it in a text histogram.
        Merging.Result result = merge(TEXT, OMITTED,
                text(0, "# TYPE h histogram\nh_bucket{le=\"bla\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 1\n"));
        assertThat(result.output()).startsWith("# TYPE h untyped\n").contains("h_bucket{le=\"bla\"");
        assertThat(result.outcome(0).samples()).isEqualTo(4);
    }

    @Test
    void helpConflictsAreWonByTheLowestIndexNotTheFirstResponder() {
        Merging.Result result = merge(TEXT, OMITTED, text(2, "# HELP m From two.\nm 2\n"),
                text(1, "# HELP m From one.\nm 1\n"), text(0, "m 0\n"));
        // Instance 0 has no HELP: the lowest index that has one wins.
        assertThat(Merging.metadata(InputFormat.PROMETHEUS_TEXT, result.output())).containsExactly("HELP m From one.", "TYPE m unknown");
    }

    @Test
    void duplicateSeriesInsideOneInstanceKeepTheFirstAndAreCounted() {
        Merging.Result result = merge(TEXT, OMITTED,
                text(0, "foo{a=\"1\",b=\"2\"} 1\nfoo{b=\"2\",a=\"1\"} 2\nfoo{a=\"1\",b=\"2\"} 3\nfoo{a=\"2\",b=\"2\"} 4\n"));
        assertThat(result.output()).isEqualTo(expect("# TYPE foo untyped\nfoo{a=\"1\",b=\"2\",{T0}} 1\nfoo{a=\"2\",b=\"2\",{T0}} 4\n"));
        assertThat(result.outcome(0).duplicates()).isEqualTo(2);
        assertThat(result.outcome(0).samples()).isEqualTo(2);
    }

    @Test
    void timestampsPassThroughInTheUnitOfEachFormat() {
        InstanceScrape textInput = text(0, "foo 1 1700000000123\nbar 2 5\n");
        InstanceScrape omInput = om(1, "foo 1 1700000000.1239\nbar 2 -0.005\n# EOF\n");
        assertThat(merge(TEXT, OMITTED, textInput).output()).contains("} 1 1700000000123\n", "} 2 5\n");
        assertThat(merge(OPENMETRICS, OMITTED, textInput).output()).contains("} 1 1700000000.123\n", "} 2 0.005\n");
        // Text timestamps have no sign: a sample before 1970 cannot be written there (dropped, counted).
        Merging.Result toText = merge(TEXT, OMITTED, omInput);
        assertThat(toText.output()).contains("} 1 1700000000123\n").doesNotContain("bar{");
        assertThat(toText.outcome(1).conflicts()).isEqualTo(1);
        assertThat(merge(OPENMETRICS, OMITTED, omInput).output()).contains("} 1 1700000000.1239\n", "} 2 -0.005\n");
    }

    @Test
    void exemplarsPassThroughToOpenMetricsAndAreDroppedInText() {
        String body = "# TYPE rq counter\nrq_total 3 # {trace_id=\"abc\",\"span.id\"=\"1\"} 1 1700000000.5\n# EOF\n";
        assertThat(merge(OutputFormat.openMetrics(EscapingScheme.ALLOW_UTF_8), OMITTED, om(0, body)).output())
                .contains("rq_total{" + expect("{T0}") + "} 3 # {trace_id=\"abc\",\"span.id\"=\"1\"} 1 1700000000.5\n");
        assertThat(merge(OPENMETRICS, OMITTED, om(0, body)).output())
                .contains("} 3 # {trace_id=\"abc\",span_id=\"1\"} 1 1700000000.5\n");
        assertThat(merge(TEXT, OMITTED, om(0, body)).output()).contains("} 3\n").doesNotContain("trace_id");
    }

    private static final String OPENMETRICS_TYPES = """
            # TYPE build info
            # HELP build Build.
            build_info{version="1.2"} 1
            # TYPE state stateset
            state{state="a"} 1
            state{state="b"} 0
            # TYPE queue_bytes gaugehistogram
            # UNIT queue_bytes bytes
            queue_bytes_bucket{le="1"} 2
            queue_bytes_bucket{le="+Inf"} 3
            queue_bytes_gcount 3
            queue_bytes_gsum 5
            # TYPE odd unknown
            odd 1
            # TYPE req counter
            req_total 4
            req_created 1.7e9
            # TYPE lat histogram
            lat_bucket{le="+Inf"} 1
            lat_count 1
            lat_sum 0.5
            lat_created 1.7e9
            # TYPE q summary
            q{quantile="0.5"} 1
            q_count 1
            q_sum 1
            q_created 1.7e9
            # EOF
            """;

    @Test
    void openMetricsOnlyTypesAndCreatedSurviveOpenMetricsOutput() {
        String output = merge(OPENMETRICS, OMITTED, om(0, OPENMETRICS_TYPES)).output();
        assertThat(Merging.metadata(InputFormat.OPENMETRICS_TEXT, output))
                .isEqualTo(Merging.metadata(InputFormat.OPENMETRICS_TEXT, OPENMETRICS_TYPES));
        assertThat(Merging.samplesByInstance(InputFormat.OPENMETRICS_TEXT, output, true).get("10.0.0.0:8080"))
                .isEqualTo(Merging.samples(InputFormat.OPENMETRICS_TEXT, OPENMETRICS_TYPES.getBytes()));
    }

    @Test
    void openMetricsOnlyTypesBecomeWhatPrometheusStoresInText() {
        String output = merge(TEXT, OMITTED, om(0, OPENMETRICS_TYPES)).output();
        assertThat(Merging.metadata(InputFormat.PROMETHEUS_TEXT, output)).containsExactly(
                "HELP build_info Build.", "TYPE build_info gauge",
                "TYPE state gauge",
                "TYPE queue_bytes_bucket gauge", "TYPE queue_bytes_gcount gauge", "TYPE queue_bytes_gsum gauge",
                "TYPE odd unknown",
                "TYPE req_total counter", "TYPE req_created gauge",
                "TYPE lat histogram", "TYPE lat_created gauge",
                "TYPE q summary", "TYPE q_created gauge");
        // Every series is still there under its own name.
        assertThat(Merging.samplesByInstance(InputFormat.PROMETHEUS_TEXT, output, false).get("10.0.0.0:8080"))
                .containsExactlyInAnyOrderElementsOf(
                        Merging.samples(InputFormat.OPENMETRICS_TEXT, OPENMETRICS_TYPES.getBytes()));
    }

    @Test
    void utf8NamesAreQuotedWhenTheCallerAllowsThemAndEscapedOtherwise() {
        String body = "# TYPE \"my.metric\" gauge\n{\"my.metric\",\"my.label\"=\"v\"} 1\n";
        assertThat(merge(OutputFormat.text1(EscapingScheme.ALLOW_UTF_8), OMITTED, text(0, body)).output())
                .isEqualTo(expect("# TYPE \"my.metric\" gauge\n{\"my.metric\",\"my.label\"=\"v\",{T0}} 1\n"));
        assertThat(merge(TEXT, OMITTED, text(0, body)).output())
                .isEqualTo(expect("# TYPE my_metric gauge\nmy_metric{my_label=\"v\",{T0}} 1\n"));
        assertThat(merge(OutputFormat.openMetrics(EscapingScheme.VALUES), OMITTED, text(0, body)).output())
                .isEqualTo(expect("# TYPE U__my_2e_metric gauge\nU__my_2e_metric{U__my_2e_label=\"v\",{T0}} 1\n# EOF\n"));
    }

    @Test
    void aMalformedInstanceIsLeftOutWithItsLineAndTheOthersAreMerged() {
        Merging.Result result = merge(TEXT, INCLUDED, text(0, "m 0\n"), text(1, "m 1\nn 1\nm{a=\"x} 2\n"),
                text(2, "m 2\n"));
        assertThat(result.outcome(1).failure()).contains(FailureReason.PARSE);
        assertThat(result.outcome(1).parseFailure()).hasValueSatisfying(f -> {
            assertThat(f.line()).isEqualTo(3);
            assertThat(f.column()).isEqualTo(10);
        });
        assertThat(result.output()).contains(expect("m{{T0}} 0\nm{{T2}} 2\n")).doesNotContain("n{");
        assertThat(result.output()).contains(expect("promfetcher_scrape_up{{T1}} 0\n"),
                expect("promfetcher_scrape_error{reason=\"parse\",{T1}} 1\n"),
                expect("promfetcher_scrape_samples{{T1}} 0\n"));
        assertThat(result.outcome(0).up()).isTrue();
        assertThat(result.outcome(2).samples()).isEqualTo(1);
    }

    @Test
    void appLabelsWithOurNamesAreKeptAsExported() {
        Merging.Result result = merge(TEXT, OMITTED,
                text(0, "foo{instance=\"app-says\",exported_instance=\"y\",index=\"9\"} 1\n"));
        assertThat(result.output()).isEqualTo(expect(
                "# TYPE foo untyped\nfoo{exported_exported_instance=\"app-says\",exported_instance=\"y\",exported_index=\"9\",{T0}} 1\n"));
    }

    @Test
    void aSeriesThatOnlyRenamingMakesEqualToAnotherIsADuplicate() {
        // Found by fuzzing: the app's own exported_instance="x" and its instance="x", renamed,
        // are one series in the output; the second is dropped and counted like any duplicate.
        Merging.Result result = merge(TEXT, OMITTED,
                text(0, "foo{exported_instance=\"x\"} 2\nfoo{instance=\"x\"} 3\n"));
        assertThat(result.output()).isEqualTo(expect("# TYPE foo untyped\nfoo{exported_instance=\"x\",{T0}} 2\n"));
        assertThat(result.outcome(0).duplicates()).isEqualTo(1);
        assertThat(result.outcome(0).samples()).isEqualTo(1);
    }

    @Test
    void anUnknownContentTypeIsReadAsTextAndReported() {
        Merging.Result result = merge(TEXT, OMITTED, Merging.body(0, "foo 1\n", "text/html"),
                Merging.body(1, "foo 2\n", ""));
        assertThat(result.outcome(0).contentTypeFallback()).isTrue();
        assertThat(result.outcome(1).contentTypeFallback()).isTrue();
        assertThat(result.outcome(0).samples()).isEqualTo(1);
    }

    @Test
    void failedScrapesAppearOnlyInTheScrapeStatus() {
        Merging.Result result = merge(OPENMETRICS, INCLUDED,
                new InstanceScrape.Failure(Merging.target(0), FailureReason.TIMEOUT, Duration.ofMillis(1500)),
                new InstanceScrape.Failure(Merging.target(1), FailureReason.http(503), Duration.ofMillis(3)),
                text(2, "foo 1\n"));
        assertThat(result.output()).isEqualTo(expect("""
                # TYPE foo unknown
                foo{{T2}} 1
                # TYPE promfetcher_scrape_up gauge
                # HELP promfetcher_scrape_up 1 if the instance was scraped and its metrics parsed, else 0.
                promfetcher_scrape_up{{T0}} 0
                promfetcher_scrape_up{{T1}} 0
                promfetcher_scrape_up{{T2}} 1
                # TYPE promfetcher_scrape_duration_seconds gauge
                # UNIT promfetcher_scrape_duration_seconds seconds
                # HELP promfetcher_scrape_duration_seconds Time taken to scrape the instance.
                promfetcher_scrape_duration_seconds{{T0}} 1.5
                promfetcher_scrape_duration_seconds{{T1}} 0.003
                promfetcher_scrape_duration_seconds{{T2}} 0.012
                # TYPE promfetcher_scrape_samples gauge
                # HELP promfetcher_scrape_samples Samples taken from the instance.
                promfetcher_scrape_samples{{T0}} 0
                promfetcher_scrape_samples{{T1}} 0
                promfetcher_scrape_samples{{T2}} 1
                # TYPE promfetcher_scrape_error gauge
                # HELP promfetcher_scrape_error 1 for an instance that failed (or lost samples to a conflict), with the reason.
                promfetcher_scrape_error{reason="timeout",{T0}} 1
                promfetcher_scrape_error{reason="http_503",{T1}} 1
                # EOF
                """));
        assertThat(result.report().anyUp()).isTrue();
    }

    @Test
    void scrapeStatusIsAbsentWhenOmitted() {
        assertThat(merge(TEXT, OMITTED, text(0, "foo 1\n"),
                new InstanceScrape.Failure(Merging.target(1), FailureReason.CONNECT, Duration.ZERO)).output())
                .doesNotContain("promfetcher_scrape");
    }

    @Test
    void anAppFamilyNamedLikeAScrapeStatusFamilyIsAConflictOnlyWhenStatusIsIncluded() {
        InstanceScrape body = text(0, "promfetcher_scrape_up 5\nfoo 1\n");
        Merging.Result included = merge(TEXT, INCLUDED, body);
        assertThat(included.output()).doesNotContain("promfetcher_scrape_up{" + expect("{T0}") + "} 5");
        assertThat(included.outcome(0).conflicts()).isEqualTo(1);
        assertThat(merge(TEXT, OMITTED, body).output()).contains("promfetcher_scrape_up{" + expect("{T0}") + "} 5");
    }

    @Test
    void twoInstancesWithTheSameTargetLabelsKeepOnlyTheFirst() {
        Merging.Result result = merge(TEXT, OMITTED, text(0, "foo 1\n"), text(0, "foo 2\n"));
        assertThat(result.report().instances()).extracting(o -> o.failure().map(FailureReason::label).orElse("up"))
                .containsExactly("up", "conflict");
        assertThat(result.output()).isEqualTo(expect("# TYPE foo untyped\nfoo{{T0}} 1\n"));
    }

    @Test
    void metadataPrometheusIgnoresCostsNoSample() {
        // Prometheus' parsers keep every one of these samples (checked by ExpositionFidelityIT):
        // a second TYPE/HELP/UNIT, a TYPE after the samples, a sample that does not fit its
        // family's type, an OpenMetrics family resumed after another's.
        assertThat(kept(text(0, "# TYPE a gauge\na 1\n# TYPE a counter\na{x=\"y\"} 2\n"))).isEqualTo(2);
        assertThat(kept(text(0, "a 1\n# TYPE a gauge\na{x=\"y\"} 2\n"))).isEqualTo(2);
        assertThat(kept(text(0, "# HELP a x\n# HELP a y\na 1\n"))).isEqualTo(1);
        assertThat(kept(text(0, "# TYPE h histogram\nh 1\nh_count 1\n"))).isEqualTo(2);
        assertThat(kept(om(0, "a 1\nb 1\na{x=\"y\"} 2\n# EOF\n"))).isEqualTo(3);
        assertThat(kept(om(0, "# TYPE c counter\nc 1\n# EOF\n"))).isEqualTo(1);
        assertThat(kept(om(0, "# TYPE c counter\nc_total 1\n# HELP c late\nd 1\nc_total{x=\"y\"} 2\n# EOF\n")))
                .isEqualTo(3);
        assertThat(kept(om(0, "# UNIT c_seconds seconds\n# UNIT c_seconds seconds\nc_seconds 1\n# EOF\n"))).isEqualTo(1);
        // The family repeated later in the body (windows_exporter 0.20): one family in the
        // output, the repeated series dropped as Prometheus drops them, and counted.
        Merging.Result repeated = merge(TEXT, OMITTED, text(0, "# TYPE w counter\nw{c=\"0\"} 1\n# TYPE g gauge\ng 1\n"
                + "# TYPE w counter\nw{c=\"0\"} 1\nw{c=\"1\"} 2\n"));
        assertThat(repeated.output()).isEqualTo(expect("# TYPE w counter\nw{c=\"0\",{T0}} 1\nw{c=\"1\",{T0}} 2\n"
                + "# TYPE g gauge\ng{{T0}} 1\n"));
        assertThat(repeated.outcome(0).duplicates()).isEqualTo(1);
    }

    private static int kept(InstanceScrape scrape) {
        int written = -1;
        for (OutputFormat format : new OutputFormat[] {TEXT, OPENMETRICS}) {
            Merging.Result result = merge(format, OMITTED, scrape);
            assertThat(result.outcome(0).up()).isTrue();
            assertThat(result.outcome(0).conflicts()).isZero();
            InputFormat readAs = format.isOpenMetrics() ? InputFormat.OPENMETRICS_TEXT : InputFormat.PROMETHEUS_TEXT;
            int n = Merging.samplesByInstance(readAs, result.output(), false).getOrDefault("10.0.0.0:8080", java.util.List.of()).size();
            assertThat(written == -1 || written == n).as("same samples in text and OpenMetrics").isTrue();
            written = n;
        }
        return written;
    }

    @Test
    void aBodyPrometheusRefusesFailsTheInstance() {
        assertThat(parseFailure(text(0, "a 1\n  b 2\n"))).isEqualTo("2:1 unexpected blank before the metric name");
        assertThat(parseFailure(om(0, "a 1\n# EOF\nb 2\n"))).isEqualTo("3:1 unexpected content after # EOF");
    }

    private static String parseFailure(InstanceScrape scrape) {
        Merging.Result result = merge(TEXT, OMITTED, scrape);
        MergeReport.ParseFailure f = result.outcome(0).parseFailure().orElseThrow();
        assertThat(result.output()).isEmpty();
        return f.line() + ":" + f.column() + " " + f.reason();
    }

    @Test
    void anEmptyTextBodyIsUpWithNoSamples() {
        Merging.Result result = merge(TEXT, OMITTED, text(0, ""));
        assertThat(result.outcome(0).up()).isTrue();
        assertThat(result.outcome(0).samples()).isZero();
        assertThat(result.output()).isEmpty();
    }

    @Test
    void aHistogramsSuffixedSamplesJoinItsFamilyInText() {
        String body = "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n"
                + "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 1\ns_count 1\n";
        Merging.Result result = merge(TEXT, OMITTED, text(0, body), text(1, body));
        assertThat(Merging.metadata(InputFormat.PROMETHEUS_TEXT, result.output()))
                .containsExactly("TYPE h histogram", "TYPE s summary");
        assertThat(result.outcome(1).samples()).isEqualTo(7);
    }

    @Test
    void aTextGaugeAndACounterSharingItsStemStayApartInBothFormats() {
        // The Go client exposes gauge go_memstats_alloc_bytes and counter go_memstats_alloc_bytes_total.
        String body = "# TYPE a gauge\na 1\n# TYPE a_total counter\na_total 2\n# TYPE a_created gauge\na_created 3\n";
        assertThat(merge(TEXT, OMITTED, text(0, body)).output()).isEqualTo(expect(
                "# TYPE a gauge\na{{T0}} 1\n# TYPE a_total counter\na_total{{T0}} 2\n# TYPE a_created gauge\na_created{{T0}} 3\n"));
        // OpenMetrics cannot have two families named a: the counter keeps its series as unknown a_total.
        assertThat(merge(OPENMETRICS, OMITTED, text(0, body)).output()).isEqualTo(expect(
                "# TYPE a gauge\na{{T0}} 1\n# TYPE a_total unknown\na_total{{T0}} 2\n# TYPE a_created gauge\na_created{{T0}} 3\n# EOF\n"));
    }

    @Test
    void aCreatedSeriesWhoseTextNameIsTakenIsDroppedAsAConflict() {
        Merging.Result result = merge(TEXT, OMITTED,
                om(0, "# TYPE b_created gauge\nb_created{x=\"1\"} 1\n# TYPE b counter\nb_total 2\nb_created 3\n# EOF\n"));
        assertThat(result.output()).isEqualTo(expect(
                "# TYPE b_created gauge\nb_created{x=\"1\",{T0}} 1\n# TYPE b_total counter\nb_total{{T0}} 2\n"));
        assertThat(result.outcome(0).conflicts()).isEqualTo(1);
        assertThat(result.outcome(0).samples()).isEqualTo(2);
    }

    @Test
    void aCounterWrittenUnderItsTextNameKeepsOnlyItsTotalSeries() {
        // Instance 0 has gauge c; instance 1 has OpenMetrics counter c with c_created and a unit.
        Merging.Result result = merge(OPENMETRICS, OMITTED, text(0, "# TYPE c_seconds gauge\nc_seconds 1\n"),
                om(1, "# TYPE c_seconds counter\n# UNIT c_seconds seconds\nc_seconds_total 2\nc_seconds_created 3\n# EOF\n"));
        assertThat(result.output()).isEqualTo(expect("# TYPE c_seconds gauge\nc_seconds{{T0}} 1\n"
                + "# TYPE c_seconds_total unknown\nc_seconds_total{{T1}} 2\n# EOF\n"));
        assertThat(result.outcome(1).conflicts()).isEqualTo(1);
        assertThat(result.outcome(1).samples()).isEqualTo(1);
    }
}
