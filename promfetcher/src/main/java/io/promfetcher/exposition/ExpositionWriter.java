package io.promfetcher.exposition;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Writes a merged exposition in one format: one implementation per format ({@link TextWriter},
 * {@link OpenMetricsWriter}, {@link ProtobufWriter}), chosen by {@link #forFormat} from the
 * negotiated {@link OutputFormat}. The merger calls {@link #family} once per family, in output
 * order, then {@link #scrapeStatus} (when included) and {@link #finish}; a writer holds nothing
 * of a family once {@code family} returns, so the output can go to a stream family by family.
 */
interface ExpositionWriter {

    /**
     * @param statusIncluded whether the scrape status families follow (their names are then taken)
     * @param keys           every merged family's key, known before the first is written
     */
    static ExpositionWriter forFormat(OutputFormat format, ByteSink sink, boolean statusIncluded, Set<String> keys) {
        return switch (format.format()) {
            case PROMETHEUS_TEXT -> new TextWriter(sink, format, statusIncluded, keys);
            case OPENMETRICS_TEXT -> new OpenMetricsWriter(sink, format, statusIncluded, keys);
            case PROTOBUF -> new ProtobufWriter(sink, format);
        };
    }

    /** Before the first family: the instances, in output order (each gets its target labels in this writer's form). */
    void start(List<ExpositionMerger.Instance> instances);

    void family(MergedFamily family) throws IOException;

    /** The families of design §5, one sample per instance (failed ones included). */
    void scrapeStatus(List<ExpositionMerger.Instance> instances) throws IOException;

    /** Ends the exposition and flushes it to the sink's stream. */
    void finish() throws IOException;
}
