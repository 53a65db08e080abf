package io.promfetcher.exposition;

import java.util.List;

/** The exposition format an instance answered in, taken from its Content-Type. */
public enum InputFormat {
    /** Prometheus text 0.0.4 (and its 1.0.0 variant with quoted UTF-8 names). */
    PROMETHEUS_TEXT,
    /** OpenMetrics 1.0 text (and its 0.0.1 pre-release name). */
    OPENMETRICS_TEXT,
    /** Delimited protobuf {@code io.prometheus.client.MetricFamily} messages (native histograms). */
    PROTOBUF;

    private static final java.util.Optional<InputFormat> OPENMETRICS = java.util.Optional.of(OPENMETRICS_TEXT);
    private static final java.util.Optional<InputFormat> TEXT = java.util.Optional.of(PROMETHEUS_TEXT);

    /**
     * The format a Content-Type names, or empty when it names none we read: the caller then falls
     * back to text 0.0.4 (what Prometheus does) and counts the fallback.
     */
    public static java.util.Optional<InputFormat> fromContentType(String contentType) {
        // The two headers every instance sends, without parsing them for every scrape.
        if (contentType.regionMatches(true, 0, "application/openmetrics-text;", 0, 29)) {
            return OPENMETRICS;
        }
        if (contentType.regionMatches(true, 0, "text/plain;", 0, 11)) {
            return TEXT;
        }
        List<MediaRange> ranges = MediaRange.parseAccept(contentType);
        if (ranges.isEmpty()) {
            return java.util.Optional.empty();
        }
        MediaRange range = ranges.get(0);
        if (range.type().equals("application") && range.subtype().equals("openmetrics-text")) {
            return java.util.Optional.of(OPENMETRICS_TEXT);
        }
        if (range.type().equals("text") && range.subtype().equals("plain")) {
            return java.util.Optional.of(PROMETHEUS_TEXT);
        }
        if (ExpositionFormat.PROTOBUF.specificity(range) == 3 && range.parameter("proto") != null) {
            return java.util.Optional.of(PROTOBUF);
        }
        return java.util.Optional.empty();
    }
}
