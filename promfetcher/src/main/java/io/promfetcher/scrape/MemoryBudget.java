package io.promfetcher.scrape;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that instance bodies and merged output may take together, all requests counted
 * ({@code scrape.max_buffered_bytes}; by default half the heap): bodies while they are received,
 * bodies that arrived and wait for their siblings and for the merge, and the merged output until
 * it is written. Whatever does not fit is refused where it is asked for — one instance fails
 * with {@code too_large}, the others go on — so many large apps answering at once cost instances
 * with a clear reason, never an {@code OutOfMemoryError}.
 *
 * <p>Memory is held through {@link Hold}s, handed on from the scrape that received a body to the
 * merge that reads it, never given back and taken again in between. Thread-safe.
 */
public final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** @param limit bytes; must be positive */
    public MemoryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("memory budget must be positive: " + limit);
        }
        this.limit = limit;
    }

    /**
     * The budget {@code scrape.max_buffered_bytes} asks for: its value, or half of the JVM's
     * maximum heap when it is 0 (the rest is left to the route table, Netty and the JVM).
     */
    public static long configuredLimit(long maxBufferedBytes) {
        return maxBufferedBytes > 0 ? maxBufferedBytes : Runtime.getRuntime().maxMemory() / 2;
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used.get();
    }

    /** An empty hold, to grow with {@link Hold#tryGrow}. */
    public Hold hold() {
        return new Hold();
    }

    private boolean tryTake(long bytes) {
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

    /**
     * Bytes held for one purpose (one body, one merged output). Grows in steps; gives back what it
     * holds exactly once ({@link #release}), whoever calls it and however often.
     */
    public final class Hold {
        private final AtomicLong bytes = new AtomicLong();
        private volatile boolean released;

        private Hold() {}

        /** Takes {@code more} bytes if they fit beside everything held; false (and nothing taken) otherwise. */
        public boolean tryGrow(long more) {
            if (more <= 0) {
                return true;
            }
            if (!tryTake(more)) {
                return false;
            }
            bytes.addAndGet(more);
            if (released) { // released meanwhile: what was just taken must not stay taken
                used.addAndGet(-bytes.getAndSet(0));
                return false;
            }
            return true;
        }

        /** Gives back {@code fewer} of the bytes held (e.g. a buffer trimmed to what it holds). */
        public void shrink(long fewer) {
            long give = Math.min(fewer, bytes.get());
            if (give > 0) {
                bytes.addAndGet(-give);
                used.addAndGet(-give);
            }
        }

        public long bytes() {
            return bytes.get();
        }

        /** Gives everything back; later calls and later growth do nothing. */
        public void release() {
            released = true;
            used.addAndGet(-bytes.getAndSet(0));
        }
    }
}
