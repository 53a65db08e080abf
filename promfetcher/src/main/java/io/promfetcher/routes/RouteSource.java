package io.promfetcher.routes;

/**
 * Something that keeps what the gateway knows about apps up to date: the NATS route announcements
 * ({@link NatsAnnouncements}), and beside it, sources such as the Cloud Controller's app metadata.
 * The gateway owns the {@link RouteTable} and what the sources feed, starts every source after its
 * listeners are up, reports each one's readiness under its {@link #name()}, and closes them on
 * shutdown.
 */
public interface RouteSource extends AutoCloseable {
    /** Short lower-case name, used as its key in the health and readiness detail. */
    String name();

    /**
     * Starts feeding; returns at once (a source whose server is down at start keeps trying in the
     * background, so an outage never stops the gateway from starting).
     *
     * @throws IllegalStateException for a configuration problem that retrying would not fix
     */
    void start();

    /** Whether what this source feeds is complete enough to be trusted, and one line for operators. */
    SourceHealth health();

    /** Stops feeding; what it fed stays as it is. */
    @Override
    void close();
}
