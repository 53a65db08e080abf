package io.promfetcher.exposition;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One of the per-instance scrape status families of design §5 ({@code promfetcher_scrape_*}):
 * its name, HELP, unit, and the sample it has for an instance's outcome (none: no sample, as
 * {@code promfetcher_scrape_error} for an instance that is fine). Every writer writes {@link #ALL}.
 */
record StatusFamily(String name, String help, Optional<String> unit,
        Function<MergeReport.InstanceOutcome, Optional<StatusSample>> sample) {

    /** An instance's sample: its value (a gauge) and, for the error family, the reason label. */
    record StatusSample(Optional<String> reason, double value) {}

    /** In the order they are written. */
    static final List<StatusFamily> ALL = List.of(
            new StatusFamily("promfetcher_scrape_up", "1 if the instance was scraped and its metrics parsed, else 0.",
                    Optional.empty(), o -> Optional.of(new StatusSample(Optional.empty(), o.up() ? 1 : 0))),
            new StatusFamily("promfetcher_scrape_duration_seconds", "Time taken to scrape the instance.",
                    Optional.of("seconds"),
                    o -> Optional.of(new StatusSample(Optional.empty(), o.duration().toNanos() / 1e9))),
            new StatusFamily("promfetcher_scrape_samples", "Samples taken from the instance.", Optional.empty(),
                    o -> Optional.of(new StatusSample(Optional.empty(), o.samples()))),
            new StatusFamily("promfetcher_scrape_error",
                    "1 for an instance that failed (or lost samples to a conflict), with the reason.", Optional.empty(),
                    o -> o.errorReason().map(reason -> new StatusSample(Optional.of(reason.label()), 1))));

    /** The sample's value as text writes it (integers without a fraction). */
    static String text(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
