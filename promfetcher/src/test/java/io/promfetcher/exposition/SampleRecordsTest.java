package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the indexing pass records of each sample, read back as the writers read it. */
class SampleRecordsTest {

    private static SampleRecords record(InputFormat format, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ExpositionParser p = ExpositionParser.create(format, bytes, 0, bytes.length);
        SampleRecords records = SampleRecords.take();
        new FamilyIndexer(EscapingScheme.UNDERSCORES).index(p, records);
        return records;
    }

    private static String span(String body, int start, int end) {
        return new String(body.getBytes(StandardCharsets.UTF_8), start, end - start, StandardCharsets.UTF_8);
    }

    @Test
    void aCanonicalSampleIsRecordedAsSpansOfItsLine() {
        String body = "# TYPE a counter\na_total{x=\"1\",y=\"2\"} 3 1700000000000\nb 4\n";
        SampleRecords records = record(InputFormat.PROMETHEUS_TEXT, body);
        assertThat(records.size()).isEqualTo(2);
        assertThat(records.relex(0)).isFalse();
        assertThat(span(body, records.lineStart(0), records.nameEnd(0))).isEqualTo("a_total");
        assertThat(span(body, records.labelsStart(0), records.labelsEnd(0))).isEqualTo("x=\"1\",y=\"2\"");
        assertThat(span(body, records.valueStart(0), records.valueEnd(0))).isEqualTo("3");
        assertThat(records.hasTimestamp(0)).isTrue();
        assertThat(span(body, records.timestampStart(0), records.timestampEnd(0))).isEqualTo("1700000000000");
        assertThat(records.labelsEnd(1)).isEqualTo(records.labelsStart(1)); // no labels
        assertThat(records.hasTimestamp(1)).isFalse();
    }

    @Test
    void anExemplarIsRecordedFromItsBraceWhenItIsCopiedAsWritten() {
        String body = "# TYPE c counter\nc_total 1 # {t=\"x\"} 0.5 12.5\nc_total{a=\"1\"} 1 # {t=\"x\"} Inf\n# EOF\n";
        SampleRecords records = record(InputFormat.OPENMETRICS_TEXT, body);
        assertThat(records.hasExemplar(0)).isTrue();
        assertThat(span(body, records.exemplarStart(0), records.exemplarEnd(0))).isEqualTo("{t=\"x\"} 0.5 12.5");
        assertThat(records.relex(1)).as("Inf is spelt +Inf by the writer").isTrue();
    }

    @Test
    void whatTheWriterMustLexAgainIsFlagged() {
        String body = "a{x=\"1\" y=\"2\"} 1\n" // a blank for a comma (text only): written with a comma
                + "a{x = \"2\"} 1\n" // blanks around the '='
                + "a{instance=\"x\"} 1\n" // renamed exported_instance
                + "{\"a.b\"} 1\n" // quoted name
                + "a{x=\"\\q\"} 1\n" // an escape other readers refuse
                + "a{x=\"" + "v".repeat(70_000) + "\"} 1\n"; // beyond 16-bit distances
        SampleRecords records = record(InputFormat.PROMETHEUS_TEXT, body);
        assertThat(records.size()).isEqualTo(6);
        for (int r = 0; r < 6; r++) {
            assertThat(records.relex(r)).as("record %d", r).isTrue();
        }
    }

    @Test
    void duplicatesAreNotRecordedAndRunsAreRenumbered() {
        String body = "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"2\"} 2\n# TYPE b gauge\nb 1\na{x=\"1\"} 3\na{x=\"3\"} 4\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SampleRecords records = SampleRecords.take();
        FamilyIndexer.IndexedBody indexed = new FamilyIndexer(EscapingScheme.UNDERSCORES)
                .index(ExpositionParser.create(InputFormat.PROMETHEUS_TEXT, bytes, 0, bytes.length), records);
        assertThat(indexed.duplicates).isEqualTo(1);
        assertThat(records.size()).isEqualTo(4);
        FamilyIndexer.LocalFamily a = indexed.families.get(0);
        assertThat(a.samples).isEqualTo(3);
        // a's runs: records [0, 2) and [3, 4); b's: [2, 3).
        assertThat(java.util.Arrays.copyOf(a.runs, a.runCount * 2)).containsExactly(0, 2, 3, 4);
        assertThat(span(body, records.valueStart(3), records.valueEnd(3))).isEqualTo("4");
    }

    @Test
    void aBodyThatDoesNotParseLeavesNoRecords() {
        SampleRecords records = record(InputFormat.PROMETHEUS_TEXT, "a 1\n");
        byte[] broken = "b 1\nc{ 2\n".getBytes(StandardCharsets.UTF_8);
        try {
            new FamilyIndexer(EscapingScheme.UNDERSCORES)
                    .index(ExpositionParser.create(InputFormat.PROMETHEUS_TEXT, broken, 0, broken.length), records);
        } catch (ExpositionParseException expected) {
            // refused, as it should be
        }
        assertThat(records.size()).isEqualTo(1);
    }

    @Test
    void renumberingCountsTheDroppedRecordsBefore() {
        int[] dropped = {2, 5, 6};
        assertThat(SampleRecords.renumbered(0, dropped, 3)).isEqualTo(0);
        assertThat(SampleRecords.renumbered(2, dropped, 3)).isEqualTo(2);
        assertThat(SampleRecords.renumbered(3, dropped, 3)).isEqualTo(2);
        assertThat(SampleRecords.renumbered(7, dropped, 3)).isEqualTo(4);
    }

    @Test
    void textLabelsSeparatedByABlankAreWrittenWithACommaInEveryFormat() {
        InstanceScrape app = Merging.text(0, "# TYPE g gauge\ng{a=\"1\" b=\"2\"} 1\n");
        for (OutputFormat format : new OutputFormat[] {OutputFormat.TEXT_0_0_4, OutputFormat.OPENMETRICS_1_0_0}) {
            // Merging.merge parses the output strictly: OpenMetrics refuses a="1" b="2".
            assertThat(Merging.merge(format, ScrapeStatus.OMITTED, app).output()).contains("g{a=\"1\",b=\"2\",organization_id=");
        }
    }

    // ---- ownership: the records belong to the merge, whatever thread writes it and when ----

    private static java.util.List<InstanceScrape> app(String body, String contentType) {
        return java.util.List.of(Merging.body(0, body, contentType), Merging.body(1, body, contentType));
    }

    private static final String APP_A = "# TYPE a counter\na_total{x=\"1\"} 1\na_total{x=\"2\"} 2\n"
            + "# TYPE g gauge\ng{instance=\"x\"} 3\ng{y=\"" + "w".repeat(70_000) + "\"} 4\n";
    private static final String APP_B = "# TYPE b histogram\nb_bucket{le=\"1\"} 1 # {t=\"q\"} 0.5\n"
            + "b_bucket{le=\"+Inf\"} 2\nb_count 2\nb_sum 3\n# TYPE c counter\nc_total 5 1.5\n# EOF\n";

    private static byte[] whole(java.util.List<InstanceScrape> scrapes, OutputFormat format) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ExpositionMerger.merge(scrapes, format, ScrapeStatus.INCLUDED, out);
        return out.toByteArray();
    }

    @Test
    void mergesWrittenInStepsInterleavedOnOneThreadGiveTheBytesEachGivesAlone() throws Exception {
        for (OutputFormat format : new OutputFormat[] {OutputFormat.TEXT_0_0_4, OutputFormat.OPENMETRICS_1_0_0,
                OutputFormat.protobuf(EscapingScheme.UNDERSCORES)}) {
            java.util.List<InstanceScrape> a = app(APP_A, Merging.TEXT);
            java.util.List<InstanceScrape> b = app(APP_B, Merging.OM);
            MergedExposition first = ExpositionMerger.prepare(a, format, ScrapeStatus.INCLUDED);
            MergedExposition second = ExpositionMerger.prepare(b, format, ScrapeStatus.INCLUDED);
            assertThat(first.recordedBytes()).isPositive();
            java.io.ByteArrayOutputStream outA = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream outB = new java.io.ByteArrayOutputStream();
            boolean moreA = true;
            boolean moreB = true;
            while (moreA || moreB) {
                if (moreA) {
                    moreA = first.writeNext(outA);
                }
                if (moreB) {
                    moreB = second.writeNext(outB);
                }
                // a whole merge in between, on the same thread, reusing what the thread keeps
                whole(app(APP_B, Merging.TEXT), format);
            }
            assertThat(outA.toByteArray()).as("%s", format).isEqualTo(whole(a, format));
            assertThat(outB.toByteArray()).as("%s", format).isEqualTo(whole(b, format));
        }
    }

    @Test
    void aMergePreparedOnOneThreadIsWrittenOnAnother() throws Exception {
        java.util.List<InstanceScrape> a = app(APP_A, Merging.TEXT);
        byte[] expected = whole(a, OutputFormat.OPENMETRICS_1_0_0);
        MergedExposition prepared = ExpositionMerger.prepare(a, OutputFormat.OPENMETRICS_1_0_0, ScrapeStatus.INCLUDED);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread writer = new Thread(() -> {
            try {
                prepared.writeAll(out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // The preparing thread goes on merging meanwhile.
        writer.start();
        for (int i = 0; i < 20; i++) {
            whole(app(APP_B, Merging.OM), OutputFormat.OPENMETRICS_1_0_0);
        }
        writer.join();
        assertThat(out.toByteArray()).isEqualTo(expected);
    }
}
