package io.promfetcher.api;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executor;

/**
 * A reply body made while it is sent (an app's merged metrics): the server asks for one part at
 * a time, on {@link #executor()}, and asks for the next only while little of what it was given
 * is still waiting for the socket, so a request holds a window of its output, never all of it,
 * and a slow reader slows its own body down without holding a thread.
 */
public interface StreamedBody {

    /**
     * Writes the next part to {@code out} (the same stream at every call); false once everything
     * is written. IOExceptions come from {@code out} only (the connection failed).
     */
    boolean writeNext(OutputStream out) throws IOException;

    /** Where parts are made: CPU work, never the event loop. */
    Executor executor();

    /**
     * Called exactly once: {@code complete} when every part was written and sent, false when the
     * body was abandoned (the connection failed, the reply was never sent, a part failed).
     */
    void close(boolean complete);

    /**
     * Makes every part and throws it away, then closes the body: for a caller that wants what
     * the answer did (the explanation's scrape), not its bytes. Runs on the calling thread.
     */
    default void drain() {
        boolean complete = false;
        OutputStream nowhere = OutputStream.nullOutputStream();
        try {
            while (writeNext(nowhere)) {
                // every part, to nowhere
            }
            complete = true;
        } catch (IOException e) { // a null stream does not fail
            throw new java.io.UncheckedIOException(e);
        } finally {
            close(complete);
        }
    }
}
