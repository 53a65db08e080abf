package io.promfetcher.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps request paths to endpoints: exact paths first, then prefixes in the order they were added.
 * Each route has a short name used as the {@code endpoint} label of the request metrics, so the
 * label never carries a path a caller chose.
 */
public final class Router {
    /** A matched route: its metric name and endpoint. */
    public record Route(String name, Endpoint endpoint) {}

    private final Map<String, Route> exact = new HashMap<>();
    private final List<Map.Entry<String, Route>> prefixes = new ArrayList<>();

    public Router exact(String path, String name, Endpoint endpoint) {
        if (exact.putIfAbsent(path, new Route(name, endpoint)) != null) {
            throw new IllegalArgumentException("two routes for " + path);
        }
        return this;
    }

    public Router prefix(String prefix, String name, Endpoint endpoint) {
        prefixes.add(Map.entry(prefix, new Route(name, endpoint)));
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
