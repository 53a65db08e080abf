package io.promfetcher.scrape;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounded concurrency of instance scrapes: at most {@code max_concurrent_scrapes} in flight
 * overall, {@code max_concurrent_scrapes_per_request} per fan-out and
 * {@code max_connections_per_instance} per instance address. A scrape over a limit waits its
 * turn; it never waits beyond its fan-out's deadline, which fails it with {@code timeout}.
 * Waiting rather than failing fast: a burst of fan-outs should be slower, not lose instances.
 *
 * <p>Every operation is O(1) per scrape, so that a fan-out of tens of thousands of instances
 * costs the lock nothing more than a small one, scrape by scrape: fan-outs with scrapes waiting
 * take turns (round robin, one scrape each), a fan-out at its own limit leaves the turn until one
 * of its scrapes finishes, and a scrape whose instance is at its connection limit waits in that
 * instance's line. A fan-out whose deadline passed is dropped whole ({@link #expired}); its
 * scrapes that never got a slot give nothing back, so failing them takes no lock at all (dropping
 * it costs one pass over its own scrapes still waiting in instances' lines). The lock
 * is held only for those constant-time steps, never while a scrape starts.
 */
final class Slots {
    /** A fan-out's place in the line: guarded by the {@link Slots} lock. */
    static final class Turn {
        private final List<? extends InstanceScrape<?>> scrapes;
        /** Scrapes that waited in an instance's line and may go next. */
        private final ArrayDeque<InstanceScrape<?>> retry = new ArrayDeque<>();
        /** Addresses in whose line scrapes of this fan-out wait. */
        private final java.util.Set<InstanceAddress> parkedAt = new java.util.HashSet<>();
        private int next;
        private int inFlight;
        private boolean queued;
        private boolean expired;

        Turn(List<? extends InstanceScrape<?>> scrapes) {
            this.scrapes = scrapes;
        }

        private boolean hasPending() {
            return !retry.isEmpty() || next < scrapes.size();
        }

        private InstanceScrape<?> nextPending() {
            InstanceScrape<?> s = retry.pollFirst();
            return s != null ? s : scrapes.get(next++);
        }

        /** Scrapes waiting in this fan-out's own line (not those in an instance's line). */
        private int pending() {
            return retry.size() + scrapes.size() - next;
        }
    }

    /** Scrapes holding a connection slot of one instance address, and those waiting for one. */
    private static final class Busy {
        int inFlight;
        final ArrayDeque<InstanceScrape<?>> waiting = new ArrayDeque<>();
    }

    private final ScrapeSettings settings;
    private final ArrayDeque<Turn> turns = new ArrayDeque<>();
    private final Map<InstanceAddress, Busy> busy = new HashMap<>();
    private int inFlight;
    private int waiting;

    Slots(ScrapeSettings settings) {
        this.settings = settings;
    }

    /** Puts a new fan-out in line and starts the scrapes that fit. */
    void submit(Turn turn) {
        List<InstanceScrape<?>> ready;
        synchronized (this) {
            waiting += turn.pending();
            queue(turn);
            ready = takeReady();
        }
        ready.forEach(InstanceScrape::startOnLoop);
    }

    /**
     * Frees the slot of a finished scrape and starts those that now fit; a scrape that never got a
     * slot holds nothing and returns at once. Safe to call more than once.
     */
    void release(InstanceScrape<?> scrape) {
        if (!scrape.slotHeld.compareAndSet(true, false)) {
            return;
        }
        List<InstanceScrape<?>> ready;
        synchronized (this) {
            inFlight--;
            Turn turn = scrape.fanout.turn;
            turn.inFlight--;
            Busy b = busy.get(scrape.address);
            b.inFlight--;
            // As many of the instance's line as it now has room for go back to their fan-outs' lines
            // (first in their turn); one that finds the instance full again lines up once more.
            int room = settings.maxConnectionsPerInstance() - b.inFlight;
            InstanceScrape<?> nextThere;
            while (room > 0 && (nextThere = b.waiting.pollFirst()) != null) {
                if (nextThere.isDone()) {
                    waiting--;
                    continue;
                }
                Turn its = nextThere.fanout.turn;
                its.retry.addFirst(nextThere);
                queue(its);
                room--;
            }
            if (b.inFlight == 0 && b.waiting.isEmpty()) {
                busy.remove(scrape.address);
            }
            queue(turn);
            ready = takeReady();
        }
        ready.forEach(InstanceScrape::startOnLoop);
    }

    /**
     * The fan-out's deadline passed: its scrapes still in line are dropped at once (the fan-out
     * fails them itself, without coming back here).
     */
    synchronized void expired(Turn turn) {
        if (turn.expired) {
            return;
        }
        turn.expired = true;
        waiting -= turn.pending();
        for (InstanceAddress address : turn.parkedAt) {
            Busy b = busy.get(address);
            if (b == null) {
                continue;
            }
            int before = b.waiting.size();
            b.waiting.removeIf(s -> s.fanout.turn == turn);
            waiting -= before - b.waiting.size();
            if (b.inFlight == 0 && b.waiting.isEmpty()) {
                busy.remove(address);
            }
        }
        turn.parkedAt.clear();
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int waiting() {
        return waiting;
    }

    private void queue(Turn turn) {
        if (!turn.queued && !turn.expired && turn.hasPending()) {
            turn.queued = true;
            turns.addLast(turn);
        }
    }

    private List<InstanceScrape<?>> takeReady() {
        List<InstanceScrape<?>> ready = new ArrayList<>();
        while (inFlight < settings.maxConcurrentScrapes() && !turns.isEmpty()) {
            Turn turn = turns.pollFirst();
            turn.queued = false;
            if (turn.expired || turn.inFlight >= settings.maxConcurrentScrapesPerRequest()) {
                continue; // back in line when one of its scrapes finishes
            }
            InstanceScrape<?> s = turn.nextPending();
            if (s.isDone()) {
                waiting--;
            } else {
                Busy b = busy.computeIfAbsent(s.address, a -> new Busy());
                if (b.inFlight >= settings.maxConnectionsPerInstance()) {
                    b.waiting.addLast(s); // still waiting, now in the instance's line
                    turn.parkedAt.add(s.address);
                } else {
                    b.inFlight++;
                    inFlight++;
                    turn.inFlight++;
                    waiting--;
                    s.slotHeld.set(true);
                    ready.add(s);
                }
            }
            queue(turn); // to the back: fan-outs take turns
        }
        return ready;
    }
}
