package io.promfetcher.api;

import io.promfetcher.exposition.InstanceScrape;
import io.promfetcher.exposition.TargetLabels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the platform knows about each instance beside what the instance says: its container's
 * CPU, memory, disk and state, added to the {@code .../metrics} answer (never to
 * {@code .../only-app-metrics}) as {@link InstanceScrape.Supplement}s with the instance's labels.
 * Called on the event loop; completes within {@code deadline} and never exceptionally (what could
 * not be known is said in the samples).
 */
public interface ContainerMetrics {
    /**
     * The samples, one supplement per instance that has some.
     *
     * @param known true when the stats of at least one instance are known: an app whose instances
     *              all failed still answers 200 with them (system metrics for apps without any)
     */
    record Samples(List<InstanceScrape.Supplement> supplements, boolean known) {
        public Samples {
            supplements = List.copyOf(supplements);
        }
    }

    Samples NOTHING = new Samples(List.of(), false);

    /** No container metrics (no Cloud Controller, or {@code cf.container_metrics: false}). */
    ContainerMetrics NONE = (targets, deadline) -> CompletableFuture.completedFuture(NOTHING);

    CompletionStage<Samples> of(List<TargetLabels> targets, Duration deadline);
}
