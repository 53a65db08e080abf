package io.promfetcher.exposition;

import java.util.List;

/**
 * Chooses the exposition format for a caller from its {@code Accept} header, honouring q-values
 * (client_java's own writer lookup ignores them, so the gateway negotiates itself).
 *
 * <p>Each format takes the weight of the most specific range that names it; the highest weight
 * wins; on a tie the more specific match wins, then Prometheus text, the format every scraper
 * reads. No header, or nothing acceptable, also gives Prometheus text: refusing with 406 would
 * only turn a scrape into {@code up == 0}. Protobuf (delimited MetricFamily) is chosen when it
 * weighs most, as Prometheus asks with native histograms enabled.
 */
public final class Negotiation {
    private Negotiation() {}

    /** The format alone (for writers that only know formats, such as the gateway's own /metrics). */
    public static ExpositionFormat choose(String acceptHeader) {
        return negotiate(acceptHeader).format();
    }

    /**
     * Format, version and escaping. Text is version 1.0.0 only when the winning range asked for
     * it; the escaping is the winning range's {@code escaping=} parameter when it names a scheme,
     * else underscores (Prometheus' default).
     */
    public static OutputFormat negotiate(String acceptHeader) {
        List<MediaRange> ranges = MediaRange.parseAccept(acceptHeader);
        ExpositionFormat best = ExpositionFormat.PROMETHEUS_TEXT;
        MediaRange bestRange = null;
        double bestQ = 0;
        int bestSpecificity = 0;
        for (ExpositionFormat format : preferenceOrder()) {
            int specificity = 0;
            double q = 0;
            MediaRange chosen = null;
            for (MediaRange range : ranges) {
                int s = format.specificity(range);
                if (s > specificity || (s == specificity && s > 0 && range.q() > q)) {
                    specificity = s;
                    q = range.q();
                    chosen = range;
                }
            }
            if (specificity == 0 || q <= 0) {
                continue;
            }
            if (q > bestQ || (q == bestQ && specificity > bestSpecificity)) {
                best = format;
                bestQ = q;
                bestSpecificity = specificity;
                bestRange = chosen;
            }
        }
        EscapingScheme escaping = EscapingScheme.UNDERSCORES;
        if (bestRange != null && bestRange.parameter("escaping") != null) {
            escaping = EscapingScheme.fromParameter(bestRange.parameter("escaping")).orElse(escaping);
        }
        if (best == ExpositionFormat.OPENMETRICS_TEXT) {
            return OutputFormat.openMetrics(escaping);
        }
        if (best == ExpositionFormat.PROTOBUF) {
            return OutputFormat.protobuf(escaping);
        }
        boolean text1 = bestRange != null && "1.0.0".equals(bestRange.parameter("version"));
        return text1 ? OutputFormat.text1(escaping) : OutputFormat.TEXT_0_0_4;
    }

    private static List<ExpositionFormat> preferenceOrder() {
        return List.of(ExpositionFormat.PROMETHEUS_TEXT, ExpositionFormat.OPENMETRICS_TEXT, ExpositionFormat.PROTOBUF);
    }
}
