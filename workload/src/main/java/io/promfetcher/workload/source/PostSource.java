package io.promfetcher.workload.source;

import java.util.function.Consumer;

/** A stream of posts for the tracker: synthetic, replayed from a file, or live. */
public interface PostSource extends AutoCloseable {
    /**
     * Hands every post to the sink, in order, until the source is exhausted (finite sources) or
     * closed. Blocks the calling thread.
     */
    void forEach(Consumer<Post> sink) throws InterruptedException;

    /** Problems met in the input so far (bad lines, malformed messages), each already logged. */
    long rejected();

    /** Stops a running {@link #forEach} soon. */
    @Override
    void close();
}
