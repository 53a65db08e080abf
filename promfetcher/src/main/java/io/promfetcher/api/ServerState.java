package io.promfetcher.api;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the API server's connections share: the in-flight count with its limit (overload is
 * refused, never queued without bound), the draining flag, metrics and the access log.
 */
final class ServerState {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final int maxInFlight;
    private final Health health;
    private final ApiMetrics metrics;
    private final AccessLog accessLog;
    private final Object idle = new Object();

    ServerState(int maxInFlight, Health health, io.prometheus.metrics.model.registry.PrometheusRegistry registry,
                boolean accessLog) {
        this.maxInFlight = maxInFlight;
        this.health = health;
        this.metrics = new ApiMetrics(registry, inFlight::get);
        this.accessLog = new AccessLog(accessLog);
    }

    boolean tryEnter() {
        while (true) {
            int n = inFlight.get();
            if (n >= maxInFlight) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Waits until no request is in flight; false if the timeout came first. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    boolean draining() {
        return health.draining();
    }

    ApiMetrics metrics() {
        return metrics;
    }

    AccessLog accessLog() {
        return accessLog;
    }
}
