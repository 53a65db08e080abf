package io.promfetcher.exposition;

import java.util.List;

/**
 * Chooses the exposition format for a caller from its {@code Accept} header, honouring q-values
 * (client_java's own writer lookup ignores them, so the gateway negotiates itself).
 *
 * <p>Each format takes the weight of the most specific range that names it; the highest weight
 * wins; on a tie the more specific match wins, then Prometheus text, the format every scraper
 * reads. No header, or nothing acceptable, also gives Prometheus text: refusing with 406 would
 * only turn a scrape into {@code up == 0}.
 */
public final class Negotiation {
    private Negotiation() {}

    public static ExpositionFormat choose(String acceptHeader) {
        List<MediaRange> ranges = MediaRange.parseAccept(acceptHeader);
        ExpositionFormat best = ExpositionFormat.PROMETHEUS_TEXT;
        double bestQ = 0;
        int bestSpecificity = 0;
        for (ExpositionFormat format : preferenceOrder()) {
            int specificity = 0;
            double q = 0;
            for (MediaRange range : ranges) {
                int s = format.specificity(range);
                if (s > specificity) {
                    specificity = s;
                    q = range.q();
                }
            }
            if (specificity == 0 || q <= 0) {
                continue;
            }
            if (q > bestQ || (q == bestQ && specificity > bestSpecificity)) {
                best = format;
                bestQ = q;
                bestSpecificity = specificity;
            }
        }
        return best;
    }

    private static List<ExpositionFormat> preferenceOrder() {
        return List.of(ExpositionFormat.PROMETHEUS_TEXT, ExpositionFormat.OPENMETRICS_TEXT);
    }
}
