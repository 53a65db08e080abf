package io.promfetcher.routes;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What the gateway knows about its NATS connection, and the two rules that follow from it:
 * <ul>
 *   <li>warm-up: until one register interval has passed since the <em>first</em> connection, the
 *       table may lack apps that exist (emitters have not all re-announced yet);</li>
 *   <li>pruning: suspended while disconnected (a broker outage must not empty the table), and for
 *       one register interval after each (re)connection, so every live instance has had a chance
 *       to be re-announced before stale ones are removed.</li>
 * </ul>
 * Time comes from an injected nanosecond clock. Thread-safe.
 */
public final class ConnectionState {
    private final LongSupplier nanoClock;
    private final long registerIntervalNanos;
    private final AtomicLong reconnects = new AtomicLong();
    private volatile boolean connected;
    private volatile boolean everConnected;
    private volatile long firstConnectedNanos;
    private volatile long lastConnectedNanos;
    private volatile String server = "";
    private volatile String lastProblem = "";

    public ConnectionState(LongSupplier nanoClock, Duration registerInterval) {
        this.nanoClock = nanoClock;
        this.registerIntervalNanos = registerInterval.toNanos();
    }

    /** The connection is up (first time, or again after an outage). */
    public synchronized void connected(String serverUrl) {
        long now = nanoClock.getAsLong();
        if (!everConnected) {
            firstConnectedNanos = now;
            everConnected = true;
        } else if (!connected) {
            reconnects.incrementAndGet();
        }
        lastConnectedNanos = now;
        server = serverUrl;
        connected = true;
    }

    /** The connection is down; the client keeps trying. {@code why} may be "" (keep the last problem). */
    public synchronized void disconnected(String why) {
        connected = false;
        if (!why.isEmpty()) {
            lastProblem = why;
        }
    }

    /** Something worth showing in the health detail, e.g. an authentication error. */
    public void problem(String why) {
        lastProblem = why;
    }

    public boolean connected() {
        return connected;
    }

    public long reconnects() {
        return reconnects.get();
    }

    /** True until one register interval has passed since the first connection (or before any). */
    public boolean warmingUp() {
        return !everConnected || nanoClock.getAsLong() - firstConnectedNanos < registerIntervalNanos;
    }

    /** True when stale endpoints may be removed: connected, and one register interval since connecting. */
    public boolean pruningAllowed() {
        return connected && nanoClock.getAsLong() - lastConnectedNanos >= registerIntervalNanos;
    }

    /** One line for the health detail. */
    public String detail() {
        String problem = lastProblem.isEmpty() ? "" : " (last problem: " + lastProblem + ")";
        if (!everConnected) {
            return "NATS: not connected yet" + problem;
        }
        if (!connected) {
            return "NATS: disconnected, reconnecting; pruning suspended" + problem;
        }
        if (warmingUp()) {
            return "NATS: connected to " + server + "; warming up (route table filling for one register interval)";
        }
        if (!pruningAllowed()) {
            return "NATS: reconnected to " + server + "; pruning resumes after one register interval";
        }
        return "NATS: connected to " + server;
    }
}
