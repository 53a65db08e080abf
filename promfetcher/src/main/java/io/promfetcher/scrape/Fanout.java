package io.promfetcher.scrape;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call to {@link ScrapeClient#scrape}: its instance scrapes, the event loop they run on, the
 * overall deadline, and the future completed when the last instance is done.
 */
final class Fanout<T> {
    final ScrapeClient client;
    final ScrapeRequest request;
    final EventLoop loop;
    final long startNanos;
    final long deadlineNanos;
    final List<InstanceScrape<T>> scrapes;
    /** This fan-out's place in the line for connection slots. */
    final Slots.Turn turn;

    private final ScrapeOutcome<?>[] outcomes;
    private final AtomicInteger remaining;
    private final CompletableFuture<List<ScrapeOutcome<T>>> result = new CompletableFuture<>();
    private volatile ScheduledFuture<?> deadlineTimer;

    Fanout(ScrapeClient client, List<ScrapeTarget<T>> targets, ScrapeRequest request, EventLoop loop) {
        this.client = client;
        this.request = request;
        this.loop = loop;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = startNanos + request.deadline().toNanos();
        this.outcomes = new ScrapeOutcome<?>[targets.size()];
        this.remaining = new AtomicInteger(targets.size());
        List<InstanceScrape<T>> list = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            list.add(new InstanceScrape<>(this, i, targets.get(i)));
        }
        this.scrapes = List.copyOf(list);
        this.turn = new Slots.Turn(scrapes);
    }

    CompletableFuture<List<ScrapeOutcome<T>>> start() {
        deadlineTimer = loop.schedule(this::deadlinePassed, request.deadline().toNanos(), TimeUnit.NANOSECONDS);
        client.slots().submit(turn);
        return result;
    }

    /**
     * Fails every instance not done yet: waiting for a slot, connecting or still answering. Those
     * still waiting are first dropped from the line in one step, so failing them is cheap.
     */
    private void deadlinePassed() {
        client.slots().expired(turn);
        for (InstanceScrape<T> scrape : scrapes) {
            scrape.expire("fan-out deadline of " + HeaderPolicy.seconds(request.deadline()) + "s passed");
        }
    }

    void completed(int index, ScrapeOutcome<T> outcome) {
        outcomes[index] = outcome;
        if (remaining.decrementAndGet() == 0) {
            ScheduledFuture<?> timer = deadlineTimer;
            if (timer != null) {
                timer.cancel(false);
            }
            client.metrics().fanoutFinished(System.nanoTime() - startNanos);
            @SuppressWarnings("unchecked")
            List<ScrapeOutcome<T>> all = (List<ScrapeOutcome<T>>) (List<?>) Arrays.asList(outcomes.clone());
            List<ScrapeOutcome<T>> done = List.copyOf(all);
            if (loop.inEventLoop()) {
                result.complete(done);
            } else { // a pooled connection lived on another loop: the caller expects its own
                loop.execute(() -> result.complete(done));
            }
        }
    }
}
