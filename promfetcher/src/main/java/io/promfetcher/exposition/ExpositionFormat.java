package io.promfetcher.exposition;

/** The exposition formats the gateway reads and writes, each with the Content-Type it is served under. */
public enum ExpositionFormat {
    /** Prometheus text format 0.0.4: what every Prometheus understands, and the fallback. */
    PROMETHEUS_TEXT("text", "plain", "0.0.4", "text/plain; version=0.0.4; charset=utf-8"),
    /** OpenMetrics 1.0.0 text: keeps units, exemplars, _created and the richer types. */
    OPENMETRICS_TEXT("application", "openmetrics-text", "1.0.0",
            "application/openmetrics-text; version=1.0.0; charset=utf-8"),
    /**
     * Delimited {@code io.prometheus.client.MetricFamily} messages: what Prometheus asks for first
     * when native histograms are enabled, and the only format that carries them.
     */
    PROTOBUF("application", "vnd.google.protobuf", "",
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited");

    private final String type;
    private final String subtype;
    private final String version;
    private final String contentType;

    ExpositionFormat(String type, String subtype, String version, String contentType) {
        this.type = type;
        this.subtype = subtype;
        this.version = version;
        this.contentType = contentType;
    }

    /**
     * The Content-Type of this format in its plain form (text 0.0.4, OpenMetrics 1.0.0 without an
     * {@code escaping=} parameter, i.e. legacy names). The merged output uses
     * {@link OutputFormat#contentType()}, which names the version and escaping negotiated.
     */
    public String contentType() {
        return contentType;
    }

    /**
     * How specifically a media range of an Accept header names this format: 3 exact (with a
     * version we write, or none), 2 {@code type/*}, 1 {@code * /*}, 0 not at all.
     */
    int specificity(MediaRange range) {
        if (range.type().equals("*")) {
            return 1;
        }
        if (!range.type().equals(type)) {
            return 0;
        }
        if (range.subtype().equals("*")) {
            return 2;
        }
        if (!range.subtype().equals(subtype)) {
            return 0;
        }
        if (this == PROTOBUF) {
            // Only the delimited MetricFamily stream (not the text or compact-text encodings).
            String proto = range.parameter("proto");
            String encoding = range.parameter("encoding");
            return "io.prometheus.client.MetricFamily".equals(proto) && (encoding == null || encoding.equals("delimited"))
                    ? 3 : 0;
        }
        String asked = range.parameter("version");
        if (asked == null || asked.equals(version)
                // OpenMetrics 0.0.1 is the pre-release name of the same text format.
                || (this == OPENMETRICS_TEXT && asked.equals("0.0.1"))
                // Text 1.0.0 is text 0.0.4 that may quote UTF-8 names (see OutputFormat).
                || (this == PROMETHEUS_TEXT && asked.equals("1.0.0"))) {
            return 3;
        }
        return 0;
    }
}
