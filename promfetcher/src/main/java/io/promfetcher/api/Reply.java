package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * What an endpoint answers: status, content type, extra headers and the body, which the server
 * writes and releases — either whole ({@code body}) or made while it is sent ({@code stream}; then
 * {@code body} is empty). {@code note} is appended to the access-log line (e.g. instance counts);
 * {@code written} runs once the response has been written or has failed (to give back memory
 * an endpoint reserved for the body).
 */
public record Reply(HttpResponseStatus status, String contentType, Map<String, String> headers,
                    ByteBuf body, Optional<StreamedBody> stream, String note, Runnable written) {

    private static final Runnable NOTHING = () -> {};

    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    public Reply {
        headers = Map.copyOf(headers);
    }

    public static Reply of(HttpResponseStatus status, String contentType, ByteBuf body) {
        return new Reply(status, contentType, Map.of(), body, Optional.empty(), "", NOTHING);
    }

    /** An answer whose body is written part by part as the server sends it (see {@link StreamedBody}). */
    public static Reply streamed(HttpResponseStatus status, String contentType, StreamedBody stream) {
        return new Reply(status, contentType, Map.of(), Unpooled.EMPTY_BUFFER, Optional.of(stream), "", NOTHING);
    }

    /** Gives back what the body holds, for a reply that will not be sent. */
    public void discard() {
        body.release();
        stream.ifPresent(s -> s.close(false));
    }

    /** A plain-text answer; a trailing newline is added so curl output ends cleanly. */
    public static Reply text(HttpResponseStatus status, String message) {
        return of(status, TEXT, Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    }

    public static Reply json(HttpResponseStatus status, byte[] json) {
        return of(status, JSON, Unpooled.wrappedBuffer(json));
    }

    public Reply withHeader(String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(headers);
        more.put(name, value);
        return new Reply(status, contentType, more, body, stream, note, written);
    }

    public Reply withNote(String text) {
        return new Reply(status, contentType, headers, body, stream, text, written);
    }

    public Reply whenWritten(Runnable action) {
        Runnable before = written;
        return new Reply(status, contentType, headers, body, stream, note, () -> {
            before.run();
            action.run();
        });
    }
}
