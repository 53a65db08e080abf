package io.promfetcher.cf;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps the gateway's requests to the Cloud Controller and UAA within bounds, whatever the
 * number of callers: at most {@code maxConcurrent} in flight, at most {@code perSecond} started
 * per second (a token bucket holding one second's worth, so a quiet gateway may start a burst of
 * that size), at most {@code maxWaiting} waiting; beyond that a request fails at once rather than
 * queue without bound. A waiter that gave up (its future completed elsewhere, e.g. timed out)
 * loses its turn without taking a permit.
 */
final class CapiLimiter {
    /** No room left to wait: the caller fails with reason {@code overloaded}. */
    static final class Overloaded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Overloaded(String message) {
            super(message, null, false, false);
        }
    }

    private final int maxConcurrent;
    private final double perSecond;
    private final int maxWaiting;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService timer;
    private final ArrayDeque<CompletableFuture<Runnable>> waiting = new ArrayDeque<>();
    private int inFlight;
    private double tokens;
    private long refilledAt;
    private boolean drainScheduled;

    CapiLimiter(int maxConcurrent, int perSecond, int maxWaiting, LongSupplier nanoClock, ScheduledExecutorService timer) {
        this.maxConcurrent = maxConcurrent;
        this.perSecond = perSecond;
        this.maxWaiting = maxWaiting;
        this.nanoClock = nanoClock;
        this.timer = timer;
        this.tokens = perSecond;
        this.refilledAt = nanoClock.getAsLong();
    }

    /**
     * A turn: completes with the runnable that gives the permit back (run it exactly once, when
     * the request is done), or exceptionally with {@link Overloaded}.
     */
    CompletableFuture<Runnable> acquire() {
        CompletableFuture<Runnable> turn = new CompletableFuture<>();
        synchronized (this) {
            if (waiting.size() >= maxWaiting) {
                turn.completeExceptionally(new Overloaded(waiting.size() + " Cloud Controller requests already waiting"));
                return turn;
            }
            waiting.add(turn);
        }
        drain();
        return turn;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int waitingCount() {
        return waiting.size();
    }

    private void drain() {
        while (true) {
            CompletableFuture<Runnable> next;
            synchronized (this) {
                refill();
                if (waiting.isEmpty() || inFlight >= maxConcurrent) {
                    return;
                }
                if (tokens < 1) {
                    scheduleDrain();
                    return;
                }
                next = waiting.poll();
                if (next.isDone()) {
                    continue; // gave up while waiting
                }
                tokens -= 1;
                inFlight++;
            }
            Runnable release = new Runnable() {
                private boolean released;

                @Override
                public void run() {
                    synchronized (CapiLimiter.this) {
                        if (released) {
                            return;
                        }
                        released = true;
                        inFlight--;
                    }
                    drain();
                }
            };
            if (!next.complete(release)) {
                release.run(); // completed elsewhere between poll and complete
            }
        }
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(perSecond, tokens + (now - refilledAt) * perSecond / 1e9);
        refilledAt = now;
    }

    private void scheduleDrain() {
        if (drainScheduled) {
            return;
        }
        drainScheduled = true;
        long waitNanos = (long) Math.ceil((1 - tokens) * 1e9 / perSecond);
        timer.schedule(() -> {
            synchronized (this) {
                drainScheduled = false;
            }
            drain();
        }, Math.max(1, waitNanos), TimeUnit.NANOSECONDS);
    }
}
