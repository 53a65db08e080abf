package io.promfetcher.exposition;

import java.util.List;

/**
 * The type of a metric family, in OpenMetrics terms (text 0.0.4's {@code untyped} is
 * {@link #UNKNOWN}), with the sample-name suffixes each type owns in OpenMetrics.
 */
public enum MetricType {
    COUNTER("counter", List.of("_total", "_created")),
    GAUGE("gauge", List.of("")),
    HISTOGRAM("histogram", List.of("_bucket", "_count", "_sum", "_created")),
    GAUGE_HISTOGRAM("gaugehistogram", List.of("_bucket", "_gcount", "_gsum")),
    SUMMARY("summary", List.of("", "_count", "_sum", "_created")),
    INFO("info", List.of("_info")),
    STATESET("stateset", List.of("")),
    UNKNOWN("unknown", List.of(""));

    private final String openMetricsName;
    private final List<String> openMetricsSuffixes;

    MetricType(String openMetricsName, List<String> openMetricsSuffixes) {
        this.openMetricsName = openMetricsName;
        this.openMetricsSuffixes = openMetricsSuffixes;
    }

    private static final byte[][][] OPENMETRICS_SUFFIX_BYTES = new byte[values().length][][];
    private static final byte[][][] TEXT_SUFFIX_BYTES = new byte[values().length][][];

    static {
        for (MetricType type : values()) {
            OPENMETRICS_SUFFIX_BYTES[type.ordinal()] = toBytes(type.openMetricsSuffixes);
            TEXT_SUFFIX_BYTES[type.ordinal()] = toBytes(type.textSuffixes());
        }
    }

    /** The suffixes as bytes, for allocation-free matching of sample names. */
    byte[][] suffixBytes(InputFormat format) {
        return format == InputFormat.OPENMETRICS_TEXT ? OPENMETRICS_SUFFIX_BYTES[ordinal()] : TEXT_SUFFIX_BYTES[ordinal()];
    }

    private static byte[][] toBytes(List<String> suffixes) {
        return suffixes.stream().map(s -> s.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    }

    /** The word used on an OpenMetrics {@code # TYPE} line. */
    public String openMetricsName() {
        return openMetricsName;
    }

    /** Suffixes a sample name may add to the family name in OpenMetrics. */
    List<String> openMetricsSuffixes() {
        return openMetricsSuffixes;
    }

    /** Suffixes a sample name may add to the family name in text 0.0.4 (as Prometheus' parsers group them). */
    List<String> textSuffixes() {
        switch (this) {
            case HISTOGRAM:
                return List.of("_bucket", "_count", "_sum");
            case SUMMARY:
                return List.of("", "_count", "_sum");
            default:
                return List.of("");
        }
    }

    /** The word used on a text 0.0.4 {@code # TYPE} line for a type text has. */
    String textName() {
        switch (this) {
            case COUNTER: return "counter";
            case GAUGE: return "gauge";
            case HISTOGRAM: return "histogram";
            case SUMMARY: return "summary";
            case UNKNOWN: return "untyped";
            default: throw new IllegalStateException(this + " has no text 0.0.4 form");
        }
    }

    /** The type a text 0.0.4 {@code # TYPE} line names in {@code b[start, end)}, or null (no String per line). */
    static MetricType fromText(byte[] b, int start, int end) {
        for (MetricType type : TEXT_TYPES) {
            String name = type.textName();
            if (asciiEquals(b, start, end, name)) {
                return type;
            }
        }
        return null;
    }

    /** The type an OpenMetrics {@code # TYPE} line names in {@code b[start, end)}, or null. */
    static MetricType fromOpenMetrics(byte[] b, int start, int end) {
        for (MetricType type : values()) {
            if (asciiEquals(b, start, end, type.openMetricsName)) {
                return type;
            }
        }
        return null;
    }

    private static final MetricType[] TEXT_TYPES = {COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNKNOWN};

    private static boolean asciiEquals(byte[] b, int start, int end, String s) {
        if (end - start != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[start + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
