package io.promfetcher.scrape;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all bodies being received may take together ({@code scrape.max_buffered_bytes}):
 * many slow instances sending large bodies at once fail with {@code too_large} one by one instead
 * of taking the gateway down with an {@code OutOfMemoryError}. A body stops counting once it is
 * handed over; the API holds it only while merging.
 */
final class BodyBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    long limit() {
        return limit;
    }

    long used() {
        return used.get();
    }

    /** Takes {@code bytes} from the budget, or nothing and false when they do not fit. */
    boolean reserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }
}
