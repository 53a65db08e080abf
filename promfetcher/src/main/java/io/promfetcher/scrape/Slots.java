package io.promfetcher.scrape;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Bounded concurrency of instance scrapes: at most {@code max_concurrent_scrapes} in flight
 * overall, {@code max_concurrent_scrapes_per_request} per fan-out and
 * {@code max_connections_per_instance} per instance address. A scrape over a limit waits its turn
 * in arrival order (skipping ahead only past scrapes blocked by their own instance or fan-out
 * limit); it never waits beyond its fan-out's deadline, which fails it with {@code timeout}.
 * Waiting rather than failing fast: a burst of fan-outs should be slower, not lose instances.
 * The queue holds only scrapes of fan-outs already admitted by the API's own request limit, so it
 * is bounded.
 */
final class Slots {
    private final ScrapeSettings settings;
    private final ArrayDeque<InstanceScrape<?>> waiting = new ArrayDeque<>();
    private final Map<InstanceAddress, Integer> perInstance = new HashMap<>();
    private int inFlight;

    Slots(ScrapeSettings settings) {
        this.settings = settings;
    }

    /** Queues the scrapes and starts those that fit. */
    void submit(Collection<? extends InstanceScrape<?>> scrapes) {
        List<InstanceScrape<?>> ready;
        synchronized (this) {
            waiting.addAll(scrapes);
            ready = takeReady();
        }
        ready.forEach(InstanceScrape::startOnLoop);
    }

    /** Frees the slot of a finished scrape (or drops it from the queue) and starts those that now fit. */
    void release(InstanceScrape<?> scrape) {
        List<InstanceScrape<?>> ready;
        synchronized (this) {
            if (scrape.slotHeld) {
                scrape.slotHeld = false;
                inFlight--;
                scrape.fanout.inFlight--;
                perInstance.computeIfPresent(scrape.address, (a, n) -> n == 1 ? null : n - 1);
            } else {
                waiting.remove(scrape);
            }
            ready = takeReady();
        }
        ready.forEach(InstanceScrape::startOnLoop);
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    private List<InstanceScrape<?>> takeReady() {
        List<InstanceScrape<?>> ready = new ArrayList<>();
        Iterator<InstanceScrape<?>> it = waiting.iterator();
        while (inFlight < settings.maxConcurrentScrapes() && it.hasNext()) {
            InstanceScrape<?> s = it.next();
            if (s.isDone()) {
                it.remove();
                continue;
            }
            int busy = perInstance.getOrDefault(s.address, 0);
            if (busy < settings.maxConnectionsPerInstance()
                    && s.fanout.inFlight < settings.maxConcurrentScrapesPerRequest()) {
                it.remove();
                s.slotHeld = true;
                inFlight++;
                s.fanout.inFlight++;
                perInstance.put(s.address, busy + 1);
                ready.add(s);
            }
        }
        return ready;
    }
}
