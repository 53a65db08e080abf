package io.promfetcher.exposition;

/**
 * What the merged output is written in: a format, its version ({@code 0.0.4} or {@code 1.0.0} for
 * text, {@code 1.0.0} for OpenMetrics) and how names outside the legacy set are escaped. Text
 * 0.0.4 cannot carry quoted names, so it always escapes with {@link EscapingScheme#UNDERSCORES}.
 */
public record OutputFormat(ExpositionFormat format, String version, EscapingScheme escaping) {

    public static final OutputFormat TEXT_0_0_4 =
            new OutputFormat(ExpositionFormat.PROMETHEUS_TEXT, "0.0.4", EscapingScheme.UNDERSCORES);
    public static final OutputFormat OPENMETRICS_1_0_0 =
            new OutputFormat(ExpositionFormat.OPENMETRICS_TEXT, "1.0.0", EscapingScheme.UNDERSCORES);

    public OutputFormat {
        boolean known = switch (format) {
            case PROMETHEUS_TEXT -> version.equals("0.0.4") || version.equals("1.0.0");
            case OPENMETRICS_TEXT -> version.equals("1.0.0");
            case PROTOBUF -> version.isEmpty();
        };
        if (!known) {
            throw new IllegalArgumentException("no version " + version + " of " + format);
        }
        if (version.equals("0.0.4") && escaping != EscapingScheme.UNDERSCORES) {
            throw new IllegalArgumentException("text 0.0.4 cannot carry escaping " + escaping.parameter());
        }
    }

    /** OpenMetrics 1.0.0 with the given escaping. */
    public static OutputFormat openMetrics(EscapingScheme escaping) {
        return new OutputFormat(ExpositionFormat.OPENMETRICS_TEXT, "1.0.0", escaping);
    }

    /**
     * Delimited protobuf; names outside the legacy set are escaped unless the caller allowed
     * UTF-8 ({@code escaping=allow-utf-8}, as Prometheus 3 asks).
     */
    public static OutputFormat protobuf(EscapingScheme escaping) {
        return new OutputFormat(ExpositionFormat.PROTOBUF, "", escaping);
    }

    /** Text 1.0.0 with the given escaping. */
    public static OutputFormat text1(EscapingScheme escaping) {
        return new OutputFormat(ExpositionFormat.PROMETHEUS_TEXT, "1.0.0", escaping);
    }

    public boolean isOpenMetrics() {
        return format == ExpositionFormat.OPENMETRICS_TEXT;
    }

    /**
     * The Accept header the gateway sends the instances for this output: protobuf first when the
     * caller prefers it (native histograms exist only there), else OpenMetrics first (it carries
     * units, exemplars and {@code _created}); every format the gateway reads is acceptable.
     */
    public String instanceAccept() {
        return format == ExpositionFormat.PROTOBUF
                ? "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,"
                        + "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
                : "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    }

    /** The Content-Type header of the response, with version and, for 1.0.0 formats, escaping. */
    public String contentType() {
        if (format == ExpositionFormat.PROTOBUF) {
            return escaping == EscapingScheme.ALLOW_UTF_8
                    ? format.contentType() + "; escaping=allow-utf-8" : format.contentType();
        }
        String type = isOpenMetrics() ? "application/openmetrics-text" : "text/plain";
        String base = type + "; version=" + version + "; charset=utf-8";
        return version.equals("1.0.0") ? base + "; escaping=" + escaping.parameter() : base;
    }
}
