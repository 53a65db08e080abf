package io.promfetcher.exposition;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ExpositionMerger#merge} did with each instance, in output order (by index, then
 * host:port), so the gateway can count outcomes and choose the response status.
 */
public record MergeReport(List<InstanceOutcome> instances) {

    public MergeReport {
        instances = List.copyOf(instances);
    }

    /** True when at least one instance was scraped and parsed. */
    public boolean anyUp() {
        return instances.stream().anyMatch(InstanceOutcome::up);
    }

    /** Where and why a body did not parse. {@code line} and {@code column} are 1-based. */
    public record ParseFailure(int line, int column, String reason) {
        @Override
        public String toString() {
            return "line " + line + ", column " + column + ": " + reason;
        }
    }

    /**
     * One instance's outcome.
     *
     * @param failure a reason from the fan-out, {@link FailureReason#PARSE} (its body did not
     *     parse: see {@code parseFailure}) or {@link FailureReason#CONFLICT} (another instance had
     *     the same target labels); empty when the instance is up
     * @param samples samples of this instance in the output
     * @param duplicates samples dropped because the same series came earlier in its body
     * @param conflicts samples dropped because their family's type differs from the type the
     *     lowest-index instance gave it (or the name is one the scrape status families reserve)
     * @param contentTypeFallback the body's Content-Type named no format we read, so it was read
     *     as text 0.0.4
     */
    public record InstanceOutcome(TargetLabels target, Optional<FailureReason> failure, Optional<ParseFailure> parseFailure,
            int samples, int duplicates, int conflicts, boolean contentTypeFallback, Duration duration) {

        public boolean up() {
            return failure.isEmpty();
        }

        /**
         * The reason {@code promfetcher_scrape_error} shows: the failure, or {@code conflict}
         * for an instance that is up but lost samples to a type conflict.
         */
        public Optional<FailureReason> errorReason() {
            if (failure.isPresent()) {
                return failure;
            }
            return conflicts > 0 ? Optional.of(FailureReason.CONFLICT) : Optional.empty();
        }
    }
}
