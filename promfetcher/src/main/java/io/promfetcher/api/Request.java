package io.promfetcher.api;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An API request as endpoints see it: method, the decoded path, query parameters, read-only
 * headers and the caller's address. Endpoints never touch the Netty channel.
 */
public record Request(String method, String path, String rawPath, Map<String, List<String>> query,
                      HttpHeaders headers, InetSocketAddress remote) {

    public Request {
        query = Map.copyOf(query);
    }

    static Request of(String method, String uri, HttpHeaders headers, InetSocketAddress remote) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        return new Request(method, decoder.path(), decoder.rawPath(), decoder.parameters(), headers, remote);
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
