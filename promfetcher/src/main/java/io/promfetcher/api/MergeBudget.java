package io.promfetcher.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that merges may hold at once: the instances' bodies waiting to be merged plus the merged
 * output until it is written. The scrape client bounds bodies while they arrive; this bounds
 * them after, so many large apps answering at once get 503 and Retry-After instead of the
 * gateway running out of memory.
 */
public final class MergeBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** @param limit bytes; 0 means a quarter of the JVM's maximum heap */
    public MergeBudget(long limit) {
        this.limit = limit > 0 ? limit : Runtime.getRuntime().maxMemory() / 4;
    }

    /** Takes {@code bytes} if they fit beside what is already held. */
    public boolean tryAcquire(long bytes) {
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

    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
