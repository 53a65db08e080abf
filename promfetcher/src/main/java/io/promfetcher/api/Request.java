package io.promfetcher.api;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An API request as endpoints see it: method, the decoded path, query parameters, read-only
 * headers, the body (empty for GET) and the caller's address. Endpoints never touch the Netty
 * channel.
 */
public record Request(String method, String path, String rawPath, Map<String, List<String>> query,
                      HttpHeaders headers, InetSocketAddress remote, byte[] body) {

    /** A request target that cannot be read: the message is the one-line 400 answer. */
    public static final class MalformedTarget extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedTarget(String message) {
            super(message, null, false, false);
        }
    }

    public Request {
        Objects.requireNonNull(method, "method");
        query = Map.copyOf(query);
        Objects.requireNonNull(body, "body");
    }

    /** A request without a body. */
    public static Request of(String method, String uri, HttpHeaders headers, InetSocketAddress remote) throws MalformedTarget {
        return of(method, uri, headers, remote, new byte[0]);
    }

    /**
     * Reads the request target. Netty hands the request line over as ISO-8859-1 characters; raw
     * bytes beyond ASCII are read back as UTF-8 (what every client sends), and a target that is
     * not valid UTF-8 or has a broken percent-escape ({@code %zz}, a lone {@code %}) is refused.
     */
    public static Request of(String method, String uri, HttpHeaders headers, InetSocketAddress remote, byte[] body)
            throws MalformedTarget {
        String target = utf8(uri);
        try {
            QueryStringDecoder decoder = new QueryStringDecoder(target, StandardCharsets.UTF_8);
            Map<String, List<String>> parameters = decoder.parameters();
            return new Request(method, decoder.path(), decoder.rawPath(), parameters, headers, remote, body);
        } catch (IllegalArgumentException e) { // Netty's decoder reports bad escapes this way
            throw new MalformedTarget("bad request target: " + e.getMessage());
        }
    }

    private static String utf8(String uri) throws MalformedTarget {
        boolean ascii = true;
        for (int i = 0; i < uri.length() && ascii; i++) {
            ascii = uri.charAt(i) < 0x80;
        }
        if (ascii) {
            return uri;
        }
        byte[] bytes = uri.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedTarget("bad request target: not valid UTF-8");
        }
    }

    /** The first value of a query parameter. */
    public Optional<String> queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public Optional<String> header(CharSequence name) {
        return Optional.ofNullable(headers.get(name));
    }
}
