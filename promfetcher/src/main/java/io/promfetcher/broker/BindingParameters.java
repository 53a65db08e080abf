package io.promfetcher.broker;

import io.promfetcher.scrape.MetricPath;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a binding says about the app, from {@code cf bind-service APP INSTANCE -c '{…}'}:
 * {@code endpoint}, the path of the app's metrics on every instance (validated exactly like a
 * request's {@code metric_path}), and {@code scrape}, {@code false} to leave the app out of
 * {@code /v1/sd}. Either may be absent: the binding then says nothing about it. Any other
 * parameter is refused, so a typo ({@code "endpiont"}) is an error instead of silently ignored.
 */
record BindingParameters(Optional<MetricPath> endpoint, Optional<Boolean> scrape) {
    static final BindingParameters NONE = new BindingParameters(Optional.empty(), Optional.empty());
    private static final Set<String> NAMES = Set.of("endpoint", "scrape");

    BindingParameters {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(scrape, "scrape");
    }

    /** Reads the request's {@code parameters} value (absent, or a JSON object). */
    static BindingParameters from(Optional<Object> parameters) throws OsbError.Refusal {
        if (parameters.isEmpty()) {
            return NONE;
        }
        if (!(parameters.get() instanceof Map<?, ?> map)) {
            throw OsbError.invalidParameters("parameters must be a JSON object such as {\"endpoint\":\"/actuator/prometheus\"}").refusal();
        }
        for (Object name : map.keySet()) {
            if (!NAMES.contains(name)) {
                throw OsbError.invalidParameters("unknown parameter \"" + name
                        + "\"; this service takes \"endpoint\" (the app's metrics path) and \"scrape\" (true or false)").refusal();
            }
        }
        Optional<MetricPath> endpoint = Optional.empty();
        Object rawEndpoint = map.get("endpoint");
        if (rawEndpoint != null) {
            if (!(rawEndpoint instanceof String path)) {
                throw OsbError.invalidParameters("parameter \"endpoint\" must be a string such as \"/actuator/prometheus\"").refusal();
            }
            try {
                endpoint = Optional.of(MetricPath.validate(path));
            } catch (IllegalArgumentException e) {
                throw OsbError.invalidParameters("parameter \"endpoint\" is not a metrics path: " + e.getMessage()).refusal();
            }
        }
        Optional<Boolean> scrape = Optional.empty();
        Object rawScrape = map.get("scrape");
        if (rawScrape != null) {
            if (!(rawScrape instanceof Boolean b)) {
                throw OsbError.invalidParameters("parameter \"scrape\" must be true or false (JSON booleans, not strings)").refusal();
            }
            scrape = Optional.of(b);
        }
        return new BindingParameters(endpoint, scrape);
    }

    /** The parameters as given, for the binding's credentials and for fetching the binding. */
    Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        endpoint.ifPresent(p -> map.put("endpoint", p.value()));
        scrape.ifPresent(s -> map.put("scrape", s));
        return map;
    }
}
