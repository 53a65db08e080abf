package io.promfetcher.status;

import io.promfetcher.api.ScrapeListener;
import io.promfetcher.exposition.FailureReason;
import io.promfetcher.exposition.MergeReport;
import io.promfetcher.exposition.TargetLabels;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last scrape of each app, as the caller (Prometheus, or an explanation with
 * {@code ?scrape=true}) got it: when, the status answered, how long the slowest instance took, and
 * each instance's outcome and reason. Fed once per answered request through {@link ScrapeListener}.
 *
 * <p>Bounded by the instances it holds ({@link #MAX_INSTANCES}, enough for a foundation of that
 * many instances scraped through this gateway): beyond it the apps scraped longest ago are
 * forgotten. Thread-safe: merges record from their threads, pages read.
 */
public final class LastScrapes implements ScrapeListener {
    /** Instance outcomes held over all apps. */
    public static final int MAX_INSTANCES = 100_000;

    /**
     * One instance's outcome in a scrape.
     *
     * @param reason  why it failed ({@code conflict} when it is up but lost samples); empty when fine
     * @param detail  where its body did not parse, for {@code parse}
     */
    public record InstanceResult(String index, String instance, boolean up, Optional<FailureReason> reason,
                                 Optional<String> detail, int samples, Duration duration) {}

    /**
     * One app's last scrape.
     *
     * @param status   the HTTP status the caller got (several apps may have shared one request)
     * @param duration the slowest instance's time: instances are scraped at once
     */
    public record LastScrape(Instant at, int status, Duration duration, List<InstanceResult> instances) {
        public LastScrape {
            instances = List.copyOf(instances);
        }

        public long up() {
            return instances.stream().filter(InstanceResult::up).count();
        }

        /** True when no instance gave samples. */
        public boolean allFailed() {
            return up() == 0;
        }
    }

    private final Clock clock;
    private final int maxInstances;
    private final LinkedHashMap<String, LastScrape> byApp = new LinkedHashMap<>(); // oldest scrape first
    private int held;

    public LastScrapes(Clock clock) {
        this(clock, MAX_INSTANCES);
    }

    LastScrapes(Clock clock, int maxInstances) {
        this.clock = clock;
        this.maxInstances = maxInstances;
    }

    @Override
    public void answered(MergeReport report, int status) {
        Instant now = clock.instant();
        Map<String, List<InstanceResult>> byAppId = new LinkedHashMap<>();
        Map<String, Duration> slowest = new LinkedHashMap<>();
        for (MergeReport.InstanceOutcome o : report.instances()) {
            TargetLabels t = o.target();
            byAppId.computeIfAbsent(t.appId(), k -> new ArrayList<>()).add(new InstanceResult(t.index(), t.instance(), o.up(),
                    o.errorReason(), o.parseFailure().map(MergeReport.ParseFailure::toString), o.samples(), o.duration()));
            slowest.merge(t.appId(), o.duration(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        synchronized (byApp) {
            for (Map.Entry<String, List<InstanceResult>> e : byAppId.entrySet()) {
                LastScrape before = byApp.remove(e.getKey());
                if (before != null) {
                    held -= before.instances().size();
                }
                byApp.put(e.getKey(), new LastScrape(now, status, slowest.get(e.getKey()), e.getValue()));
                held += e.getValue().size();
            }
            Iterator<LastScrape> oldest = byApp.values().iterator();
            while (held > maxInstances && oldest.hasNext()) {
                held -= oldest.next().instances().size();
                oldest.remove();
            }
        }
    }

    /** The last scrape of the app with this GUID, if it was scraped since the gateway started. */
    public Optional<LastScrape> of(String appGuid) {
        synchronized (byApp) {
            return Optional.ofNullable(byApp.get(appGuid));
        }
    }
}
