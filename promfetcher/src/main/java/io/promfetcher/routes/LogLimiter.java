package io.promfetcher.routes;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval and key, then says how many were suppressed: a flood of
 * bad announcements must not flood the log (the metric counts every one).
 */
public final class LogLimiter {
    private final Logger log;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        volatile long lastLogged = Long.MIN_VALUE;
        final AtomicLong suppressed = new AtomicLong();
    }

    public LogLimiter(Logger log, LongSupplier nanoClock, long intervalNanos) {
        this.log = log;
        this.nanoClock = nanoClock;
        this.intervalNanos = intervalNanos;
    }

    public void warn(String key, String format, Object... args) {
        Window window = windows.computeIfAbsent(key, k -> new Window());
        long now = nanoClock.getAsLong();
        synchronized (window) {
            if (window.lastLogged != Long.MIN_VALUE && now - window.lastLogged < intervalNanos) {
                window.suppressed.incrementAndGet();
                return;
            }
            window.lastLogged = now;
        }
        long suppressed = window.suppressed.getAndSet(0);
        if (suppressed > 0) {
            log.warn(format + " ({} similar suppressed)", append(args, suppressed));
        } else {
            log.warn(format, args);
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }
}
