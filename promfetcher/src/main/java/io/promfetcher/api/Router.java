package io.promfetcher.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps request paths to endpoints: exact paths first, then prefixes in the order they were added.
 * Each route has a short name used as the {@code endpoint} label of the request metrics, so the
 * label never carries a path a caller chose, and the methods it serves (GET and HEAD unless it
 * says otherwise); another method gets 405 with {@code Allow}.
 */
public final class Router {
    /** What most endpoints serve: reads. */
    public static final Set<String> READS = Set.of("GET", "HEAD");

    /** A matched route: its metric name, endpoint and the methods it serves. */
    public record Route(String name, Endpoint endpoint, Set<String> methods) {
        public Route {
            methods = Set.copyOf(methods);
        }

        /** The {@code Allow} header value: the methods in a stable order. */
        public String allow() {
            return String.join(", ", methods.stream().sorted().toList());
        }
    }

    private final Map<String, Route> exact = new HashMap<>();
    private final List<Map.Entry<String, Route>> prefixes = new ArrayList<>();

    public Router exact(String path, String name, Endpoint endpoint) {
        return exact(path, name, READS, endpoint);
    }

    public Router exact(String path, String name, Set<String> methods, Endpoint endpoint) {
        if (exact.putIfAbsent(path, new Route(name, endpoint, methods)) != null) {
            throw new IllegalArgumentException("two routes for " + path);
        }
        return this;
    }

    public Router prefix(String prefix, String name, Endpoint endpoint) {
        return prefix(prefix, name, READS, endpoint);
    }

    public Router prefix(String prefix, String name, Set<String> methods, Endpoint endpoint) {
        prefixes.add(Map.entry(prefix, new Route(name, endpoint, methods)));
        return this;
    }

    public Optional<Route> match(String path) {
        Route route = exact.get(path);
        if (route != null) {
            return Optional.of(route);
        }
        for (Map.Entry<String, Route> p : prefixes) {
            if (path.startsWith(p.getKey())) {
                return Optional.of(p.getValue());
            }
        }
        return Optional.empty();
    }
}
