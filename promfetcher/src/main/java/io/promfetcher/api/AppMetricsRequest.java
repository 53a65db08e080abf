package io.promfetcher.api;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.promfetcher.scrape.MetricPath;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A request for an app's merged metrics, read from one of the path forms the Go promfetcher
 * serves (and {@code /v2} as an alias of {@code /v1}):
 * <pre>
 *   /v1/apps/{org}/{space}/{app}/metrics
 *   /v1/apps/{app_guid}/metrics
 *   /v1/apps/{route_host}/metrics
 *   /v1/apps/metrics?app=org/space/app   /v1/apps/metrics?app=app_guid
 *   /v1/apps/metrics?route_url=host[/path]
 * </pre>
 * each also ending in {@code /only-app-metrics} (the app's samples without the gateway's scrape
 * status). A single path segment is an app GUID when it has the GUID shape, else a route host;
 * a route with a path can only be named through {@code route_url}, because
 * {@code /v1/apps/a/b/c/metrics} already means org/space/app.
 *
 * <p>{@code metric_path}, when given, is the instances' endpoint the caller chose; it wins over
 * what the app says about itself ({@link ScrapePreferences}).
 */
public record AppMetricsRequest(AppSelector selector, boolean onlyApp, Optional<MetricPath> metricPath) {
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final String METRICS = "metrics";
    private static final String ONLY_APP = "only-app-metrics";

    /** A request that cannot name an app; the message is the 400 answer. */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** Whether the path is one of the app metrics forms (else the router answers 404). */
    public static boolean matches(String path) {
        return (path.startsWith("/v1/apps/") || path.startsWith("/v2/apps/"))
                && (path.endsWith("/" + METRICS) || path.endsWith("/" + ONLY_APP));
    }

    /**
     * Reads the request. Segments are split on the raw path and decoded one by one, so names
     * containing an encoded slash ({@code %2F}) stay one segment.
     */
    public static AppMetricsRequest parse(Request request) throws BadRequest {
        AppMetricsRequest parsed = parseSelector(request);
        List<String> metricPath = request.query().get("metric_path");
        if (metricPath == null) {
            return parsed;
        }
        if (metricPath.size() != 1) {
            throw new BadRequest("metric_path is given " + metricPath.size() + " times");
        }
        try { // taken exactly as given: what is validated is what the instances receive
            return new AppMetricsRequest(parsed.selector(), parsed.onlyApp(), Optional.of(MetricPath.validate(metricPath.get(0))));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("metric_path: " + e.getMessage());
        }
    }

    private static AppMetricsRequest parseSelector(Request request) throws BadRequest {
        String path = request.rawPath();
        if (!matches(path)) {
            throw new BadRequest("not an app metrics path: " + printable(request.path()));
        }
        String rest = path.substring("/v1/apps/".length());
        boolean onlyApp = rest.equals(ONLY_APP) || rest.endsWith("/" + ONLY_APP);
        String middle = rest.substring(0, rest.length() - (onlyApp ? ONLY_APP : METRICS).length());
        return new AppMetricsRequest(selector(request, middle, onlyApp ? ONLY_APP : METRICS), onlyApp, Optional.empty());
    }

    /**
     * Which app a request names under another endpoint of the app forms,
     * {@code /v1/apps/…/{suffix}} (e.g. {@code explain}), read exactly as for the metrics.
     */
    public static AppSelector selector(Request request, String suffix) throws BadRequest {
        String path = request.rawPath();
        if (!(path.startsWith("/v1/apps/") || path.startsWith("/v2/apps/")) || !(path.endsWith("/" + suffix))) {
            throw new BadRequest("not an app " + suffix + " path: " + printable(request.path()));
        }
        String rest = path.substring("/v1/apps/".length());
        return selector(request, rest.substring(0, rest.length() - suffix.length()), suffix);
    }

    /** The app named by the path between {@code /v1/apps/} and the endpoint, or by the query when that is empty. */
    private static AppSelector selector(Request request, String middle, String suffix) throws BadRequest {
        if (middle.endsWith("/")) {
            middle = middle.substring(0, middle.length() - 1);
        }
        if (middle.isEmpty()) {
            return fromQuery(request);
        }
        if (request.query().containsKey("app") || request.query().containsKey("route_url")) {
            throw new BadRequest("name the app either in the path or with ?app= / ?route_url=, not both");
        }
        List<String> segments = java.util.Arrays.stream(middle.split("/", -1))
                .map(segment -> QueryStringDecoder.decodeComponent(
                        // In a path '+' is a plus, not the space of form encoding.
                        segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8))
                .toList();
        if (segments.size() == 3) {
            return names(segments.get(0), segments.get(1), segments.get(2));
        }
        if (segments.size() == 1) {
            return single(segments.get(0));
        }
        throw new BadRequest("expected /v1/apps/{org}/{space}/{app}/" + suffix + ", /v1/apps/{app_guid}/" + suffix
                + " or /v1/apps/{route_host}/" + suffix + "; a route with a path goes in ?route_url=");
    }

    private static AppSelector fromQuery(Request request) throws BadRequest {
        Optional<String> app = single(request, "app");
        Optional<String> route = single(request, "route_url");
        if (app.isPresent() == route.isPresent()) {
            throw new BadRequest("give exactly one of ?app=org/space/app, ?app=app_guid or ?route_url=host[/path]");
        }
        if (route.isPresent()) {
            return route(route.get());
        }
        String value = app.get();
        if (GUID.matcher(value).matches()) {
            return new AppSelector.ByGuid(value.toLowerCase(Locale.ROOT));
        }
        String[] parts = value.split("/", -1);
        if (parts.length != 3) {
            throw new BadRequest("app must be org/space/app or an app GUID, not \"" + printable(value) + "\"");
        }
        return names(parts[0], parts[1], parts[2]);
    }

    private static Optional<String> single(Request request, String name) throws BadRequest {
        List<String> values = request.query().get(name);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() != 1) {
            throw new BadRequest(name + " is given " + values.size() + " times");
        }
        String value = unquote(values.get(0).strip());
        if (value.isEmpty()) {
            throw new BadRequest(name + " is empty");
        }
        return Optional.of(value);
    }

    private static AppSelector single(String segment) throws BadRequest {
        if (GUID.matcher(segment).matches()) {
            return new AppSelector.ByGuid(segment.toLowerCase(Locale.ROOT));
        }
        return route(segment);
    }

    private static AppSelector names(String org, String space, String app) throws BadRequest {
        for (String name : List.of(org, space, app)) {
            if (name.isEmpty() || hasControl(name)) {
                throw new BadRequest("org, space and app names must be non-empty and printable");
            }
        }
        return new AppSelector.ByNames(org, space, app);
    }

    /** host[/path]: no scheme, no user info, no port, printable. Hosts compare in lower case. */
    private static AppSelector route(String value) throws BadRequest {
        if (value.contains("://") || value.contains("@") || hasControl(value) || value.contains(" ") || value.length() > 512) {
            throw new BadRequest("route_url must be host[/path] (no scheme, no user, no spaces), not \"" + printable(value) + "\"");
        }
        int slash = value.indexOf('/');
        String host = (slash < 0 ? value : value.substring(0, slash)).toLowerCase(Locale.ROOT);
        String routePath = slash < 0 ? "" : value.substring(slash);
        if (host.isEmpty() || host.contains(":")) {
            throw new BadRequest("route_url must start with a host name (no port), not \"" + printable(value) + "\"");
        }
        if (routePath.endsWith("/")) {
            routePath = routePath.substring(0, routePath.length() - 1);
        }
        return new AppSelector.ByRoute(host + routePath);
    }

    /** The original README shows values in quotes: app="org/space/app". */
    private static String unquote(String value) {
        if (value.length() >= 2) {
            char first = value.charAt(0);
            char last = value.charAt(value.length() - 1);
            if ((first == '"' || first == '\'') && first == last) {
                return value.substring(1, value.length() - 1).strip();
            }
        }
        return value;
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
