package io.promfetcher.api;

import io.promfetcher.exposition.MergeReport;

/**
 * Told of every app metrics request answered from a merge: what each instance gave (the merge
 * report) and the HTTP status the caller got. The status page and the explanations keep each
 * app's last scrape through it.
 */
@FunctionalInterface
public interface ScrapeListener {
    /** Nobody listens. */
    ScrapeListener NONE = (report, status) -> {};

    /** Called once per answered request, on a merge thread: must be quick and must not throw. */
    void answered(MergeReport report, int status);
}
