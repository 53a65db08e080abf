package io.promfetcher.exposition;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_1.Metrics;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Merges the expositions of every instance of one app into one exposition (design §4).
 *
 * <p>Contract of {@link #merge}:
 * <ul>
 * <li>Instances are ordered by index (numerically), then host:port; that order decides every
 *     conflict, so the same inputs give the same bytes whatever order the scrapes finished in.
 * <li>Each body is read in the format its Content-Type names (text 0.0.4 when it names none we
 *     read: {@link MergeReport.InstanceOutcome#contentTypeFallback()}). A body that does not parse
 *     is left out entirely (failure {@code parse}, with line and column); the others are merged.
 * <li>Each family is written once: its metadata from the lowest-index instance that has it, then
 *     the samples of every instance in instance order, each with the instance's
 *     {@link TargetLabels}. An app label with one of those names is kept as
 *     {@code exported_<name>}. Metric names are never changed (except by the escaping the caller
 *     asked for).
 * <li>Prometheus' parsers are the oracle: a body is refused only where Prometheus refuses it, and
 *     every sample it stores is kept (docs/exposition.md lists the documented differences).
 * <li>A family another instance gives another type keeps the lowest-index instance's type; the
 *     other instances' samples are written under it where their names fit it, the rest dropped
 *     and counted in {@code conflicts}; a series repeated inside one body keeps its first
 *     sample, the rest are counted in {@code duplicates}.
 * <li>Protobuf bodies keep their messages (native histograms) for a protobuf caller; for text
 *     callers they become the OpenMetrics text of their classic series.
 * <li>With {@link ScrapeStatus#INCLUDED}, the §5 families {@code promfetcher_scrape_*} follow, one
 *     sample per instance (failed ones included); an app's own families of those names are then
 *     dropped as conflicts.
 * <li>{@link InstanceScrape.Supplement}s (samples the gateway adds about an instance) are merged
 *     first, with their instance's labels; their families come after the instances' in the
 *     output, instances' own families of those names are dropped as conflicts, and they appear
 *     neither in the scrape status families nor in the report.
 * </ul>
 * {@link #prepare} reads the bodies; the {@link MergedExposition} it returns writes the output
 * in steps, a family at a time, so the output can go to the caller as it is made. Memory beyond
 * the inputs: the family index (offsets, not samples) and, while a step runs, an 8 KiB buffer in
 * front of the stream; the output itself goes to the stream.
 */
public final class ExpositionMerger {
    private ExpositionMerger() {}

    /**
     * Writes the merged exposition of {@code scrapes} to {@code out} in {@code format} and says
     * what happened to each instance. {@code out} is not closed. IOExceptions come from
     * {@code out} only; bad input never throws.
     */
    public static MergeReport merge(List<InstanceScrape> scrapes, OutputFormat format, ScrapeStatus status,
            OutputStream out) throws IOException {
        MergedExposition merged = prepare(scrapes, format, status);
        merged.writeAll(out);
        return merged.report();
    }

    /**
     * Reads every body of {@code scrapes} (the first pass: each body is parsed and validated, its
     * families grouped) and returns the merge, ready to be written in steps. The bodies must stay
     * unchanged until the output is written. Bad input never throws.
     */
    public static MergedExposition prepare(List<InstanceScrape> scrapes, OutputFormat format, ScrapeStatus status) {
        List<Instance> instances = new ArrayList<>(scrapes.size());
        List<Instance> supplements = new ArrayList<>();
        for (InstanceScrape scrape : scrapes) {
            (scrape instanceof InstanceScrape.Supplement ? supplements : instances).add(new Instance(scrape));
        }
        instances.sort(ORDER);
        supplements.sort(ORDER);

        Set<String> reserved = new HashSet<>();
        if (status == ScrapeStatus.INCLUDED) {
            for (StatusFamily family : StatusFamily.ALL) {
                reserved.add(format.escaping().escape(family.name(), true));
            }
        }
        Map<String, MergedFamily> families = new LinkedHashMap<>();
        Map<String, List<Map.Entry<Instance, Metrics.MetricFamily>>> protobufFamilies = new LinkedHashMap<>();
        FamilyIndexer indexer = FamilyIndexer.forThread(format.escaping());
        SampleRecords records = SampleRecords.take();
        Set<String> supplied = new HashSet<>();
        try {
            for (Instance supplement : supplements) {
                InstanceScrape.Supplement body = (InstanceScrape.Supplement) supplement.scrape;
                supplement.format = InputFormat.fromContentType(body.contentType()).orElse(InputFormat.PROMETHEUS_TEXT);
                supplement.parser = ExpositionParser.create(supplement.format, body.bytes(), 0, body.bytes().length);
                try {
                    commit(supplement, indexer.index(supplement.parser, records), records, families, Set.of(), supplements.size());
                } catch (ExpositionParseException e) {
                    continue; // the gateway's own text: a bug, never worth failing the merge for
                }
            }
            supplied.addAll(families.keySet());
            reserved.addAll(supplied);
            Set<TargetLabels> targets = new HashSet<>();
            for (Instance instance : instances) {
                if (!targets.add(instance.target)) {
                    instance.failure = FailureReason.CONFLICT;
                    continue;
                }
                if (instance.scrape instanceof InstanceScrape.Failure failure) {
                    instance.failure = failure.reason();
                    continue;
                }
                InstanceScrape.Body body = (InstanceScrape.Body) instance.scrape;
                Optional<InputFormat> declared = InputFormat.fromContentType(body.contentType());
                instance.contentTypeFallback = declared.isEmpty();
                instance.format = declared.orElse(InputFormat.PROMETHEUS_TEXT);
                FamilyIndexer.IndexedBody indexed;
                try {
                    if (instance.format == InputFormat.PROTOBUF) {
                        List<Metrics.MetricFamily> parsed = ProtobufBody.parse(body.bytes(), body.offset(), body.length());
                        if (format.format() == ExpositionFormat.PROTOBUF) {
                            // Kept as messages: native histograms exist only in this format.
                            commitProtobuf(instance, parsed, protobufFamilies, reserved, format.escaping());
                            continue;
                        }
                        // For text callers, the samples Prometheus stores from it, as OpenMetrics.
                        byte[] text = ProtobufBody.toOpenMetrics(parsed);
                        instance.parser = ExpositionParser.create(InputFormat.OPENMETRICS_TEXT, text, 0, text.length);
                    } else {
                        instance.parser = ExpositionParser.create(instance.format, body.bytes(), body.offset(), body.length());
                    }
                    indexed = indexer.index(instance.parser, records);
                } catch (ExpositionParseException e) {
                    instance.failure = FailureReason.PARSE;
                    instance.parseFailure = new MergeReport.ParseFailure(e.line(), e.column(), e.reason());
                    continue;
                }
                commit(instance, indexed, records, families, reserved, instances.size());
            }
        } finally {
            indexer.release();
        }

        if (!supplied.isEmpty()) { // the gateway's families after the instances'
            Map<String, MergedFamily> ordered = new LinkedHashMap<>();
            families.forEach((k, f) -> {
                if (!supplied.contains(k)) {
                    ordered.put(k, f);
                }
            });
            families.forEach((k, f) -> {
                if (supplied.contains(k)) {
                    ordered.put(k, f);
                }
            });
            families = ordered;
        }
        return new MergedExposition(format, status, instances, supplements, families, protobufFamilies, records);
    }

    /** A protobuf body for a protobuf caller: its families grouped by name for the writer. */
    private static void commitProtobuf(Instance instance, List<Metrics.MetricFamily> parsed,
            Map<String, List<Map.Entry<Instance, Metrics.MetricFamily>>> families, Set<String> reserved,
            EscapingScheme escaping) {
        for (Metrics.MetricFamily family : parsed) {
            String name = EscapingScheme.isLegacyMetricName(family.getName()) ? family.getName()
                    : escaping.escape(family.getName(), true);
            if (reserved.contains(name)) {
                instance.conflicts += family.getMetricCount();
                continue;
            }
            instance.samples += family.getMetricCount();
            families.computeIfAbsent(name, n -> new ArrayList<>()).add(Map.entry(instance, family));
        }
    }

    private static void commit(Instance instance, FamilyIndexer.IndexedBody indexed, SampleRecords records,
            Map<String, MergedFamily> families, Set<String> reserved, int instanceCount) {
        instance.records = records;
        instance.duplicates = indexed.duplicates;
        for (FamilyIndexer.LocalFamily f : indexed.families) {
            MergedFamily merged = families.get(f.key);
            if (reserved.contains(f.key)) { // the gateway's own families: never an instance's samples
                instance.conflicts += f.samples;
                continue;
            }
            if (merged == null) {
                merged = new MergedFamily(f.key, f.outName, f.outNameBytes, f.quoted, f.type, f.bareCounter, instanceCount,
                        f.baseName);
                families.put(f.key, merged);
            }
            // Another type than the lowest-index instance gave the family (a text gauge x_info
            // and an OpenMetrics info x, a stateset and a gauge, a rolling upgrade that changed
            // a type): Prometheus stores every one of these series, so they are written under
            // the family's type wherever their names fit it (the writer drops and counts the rest).
            boolean foreign = !merged.sameType(f);
            if (merged.helpBuf == null && f.hasHelp() && !foreign) {
                merged.helpBuf = f.helpBuf;
                merged.helpStart = f.helpStart;
                merged.helpEnd = f.helpEnd;
                merged.helpFromOpenMetrics = f.om;
            }
            merged.anyOpenMetrics |= f.om;
            merged.badBound |= f.badBound;
            if (merged.unit == null && !foreign) {
                merged.unit = f.unit;
            }
            instance.samples += f.samples;
            merged.samples += f.samples;
            merged.inputBytes += f.inputBytes;
            for (int r = 0; r < f.runCount; r++) {
                if (f.runs[r * 2] < f.runs[r * 2 + 1]) { // a run of duplicates only is empty now
                    merged.addSegment(instance, f.runs[r * 2], f.runs[r * 2 + 1],
                            foreign ? merged.baseName.length : f.nameLength, foreign);
                }
            }
        }
    }

    /** By index (numeric ones first, in numeric order), then host:port, then the other labels. */
    private static final Comparator<Instance> ORDER = Comparator
            .comparingLong((Instance i) -> i.numericIndex)
            .thenComparing(i -> i.target.index())
            .thenComparing(i -> i.target.instance())
            .thenComparing(Instance::sortKey);

    private static long numericIndex(String index) {
        if (index.isEmpty() || index.length() >= 19) {
            return Long.MAX_VALUE;
        }
        for (int i = 0; i < index.length(); i++) {
            if (index.charAt(i) < '0' || index.charAt(i) > '9') {
                return Long.MAX_VALUE;
            }
        }
        return Long.parseLong(index);
    }

    /** One instance during a merge. */
    static final class Instance {
        final InstanceScrape scrape;
        final TargetLabels target;
        InputFormat format;
        boolean contentTypeFallback;
        /** Reads the body; after indexing, only for the samples the writer must lex again. */
        ExpositionParser parser;
        /** The merge's records, where this instance's samples are. */
        SampleRecords records;
        FailureReason failure;
        MergeReport.ParseFailure parseFailure;
        int samples;
        int duplicates;
        int conflicts;
        byte[] targetBlock;

        final long numericIndex;
        /** The other labels, for the rare tie of index and host:port (made only then). */
        private String sortKey;

        Instance(InstanceScrape scrape) {
            this.scrape = scrape;
            this.target = scrape.target();
            this.numericIndex = numericIndex(target.index());
        }

        String sortKey() {
            if (sortKey == null) {
                sortKey = String.join("\u0000", target.values());
            }
            return sortKey;
        }

        MergeReport.InstanceOutcome outcome() {
            return new MergeReport.InstanceOutcome(target, Optional.ofNullable(failure),
                    Optional.ofNullable(parseFailure), failure == null ? samples : 0, duplicates, conflicts,
                    contentTypeFallback, scrape.duration());
        }
    }
}
