package io.promfetcher.routes;

import io.nats.client.Connection;
import io.nats.client.impl.ErrorListenerLoggerImpl;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The error listener of a test's own NATS publisher, for tests that cut the server on purpose.
 * jnats' default listener logs every failed reconnection attempt at SEVERE ("Connection refused",
 * "Read channel closed"), which reads like a failure in the build output. Between {@link #begin()}
 * and {@link #end()} those I/O exceptions are what the test asked for: they are counted, not
 * logged. Anything else — a server error, any exception outside the outage — is still logged by
 * jnats' own listener, so a real failure still shows.
 */
final class PlannedOutage extends ErrorListenerLoggerImpl {
    private volatile boolean down;
    private final AtomicInteger expected = new AtomicInteger();

    /** The server is about to be stopped by the test. */
    void begin() {
        down = true;
    }

    /** The server is up again (its port accepts connections). */
    void end() {
        down = false;
    }

    /** I/O exceptions seen during outages, not logged. */
    int expectedExceptions() {
        return expected.get();
    }

    @Override
    public void exceptionOccurred(Connection connection, Exception exception) {
        if (down && exception instanceof IOException) {
            expected.incrementAndGet();
            return;
        }
        super.exceptionOccurred(connection, exception);
    }
}
