package io.promfetcher.routes;

import java.time.Duration;
import java.util.Optional;

/**
 * How the route table follows the routers' announcements.
 *
 * @param staleThreshold       default and cap of an endpoint's stale threshold (a message may ask
 *                             for less with {@code stale_threshold_in_seconds}); 120 s as gorouter
 * @param pruneInterval        how often stale endpoints are swept
 * @param registerInterval     how often emitters re-announce everything (cf-deployment: 20 s); the
 *                             warm-up after the first connection and the grace period after a
 *                             reconnection, before which pruning stays suspended
 * @param subscribeRouterStart listen to {@code router.start} to log and count router (re)starts
 * @param publishRouterStart   publish our own {@code router.start} on every (re)connection, so
 *                             emitters re-announce at once. Off by default: every route-emitter
 *                             would also adopt the intervals we advertise
 * @param endpoint             {@code GET /routes}
 */
public record RoutesSettings(
        Duration staleThreshold,
        Duration pruneInterval,
        Duration registerInterval,
        boolean subscribeRouterStart,
        boolean publishRouterStart,
        RoutesEndpoint endpoint) {

    public RoutesSettings {
        NatsSettings.requirePositive("routes.stale_threshold", staleThreshold);
        NatsSettings.requirePositive("routes.prune_interval", pruneInterval);
        NatsSettings.requirePositive("routes.register_interval", registerInterval);
        if (staleThreshold.compareTo(Duration.ofSeconds(120)) > 0) {
            throw new IllegalArgumentException("routes.stale_threshold is at most 120s (gorouter's cap), got " + staleThreshold);
        }
    }

    /** Production defaults: 120 s, 30 s, 20 s, listen to router.start, don't publish it, /routes open. */
    public static RoutesSettings defaults() {
        return new RoutesSettings(Duration.ofSeconds(120), Duration.ofSeconds(30), Duration.ofSeconds(20),
                true, false, RoutesEndpoint.defaults());
    }

    public RoutesSettings withStaleThreshold(Duration value) {
        return new RoutesSettings(value, pruneInterval, registerInterval, subscribeRouterStart, publishRouterStart, endpoint);
    }

    public RoutesSettings withPruneInterval(Duration value) {
        return new RoutesSettings(staleThreshold, value, registerInterval, subscribeRouterStart, publishRouterStart, endpoint);
    }

    public RoutesSettings withRegisterInterval(Duration value) {
        return new RoutesSettings(staleThreshold, pruneInterval, value, subscribeRouterStart, publishRouterStart, endpoint);
    }

    public RoutesSettings withPublishRouterStart(boolean value) {
        return new RoutesSettings(staleThreshold, pruneInterval, registerInterval, subscribeRouterStart, value, endpoint);
    }

    public RoutesSettings withEndpoint(RoutesEndpoint value) {
        return new RoutesSettings(staleThreshold, pruneInterval, registerInterval, subscribeRouterStart, publishRouterStart, value);
    }

    /**
     * {@code GET /routes}: it reveals the foundation's topology (cell addresses, every app), so it
     * can be switched off or put behind basic auth.
     */
    public record RoutesEndpoint(boolean enabled, Optional<String> user, Optional<String> password) {
        public RoutesEndpoint {
            if (user.isPresent() != password.isPresent()) {
                throw new IllegalArgumentException("routes.api.user and routes.api.password go together");
            }
            if (user.isPresent() && user.get().contains(":")) {
                throw new IllegalArgumentException("routes.api.user must not contain ':' (basic auth)");
            }
        }

        public static RoutesEndpoint defaults() {
            return new RoutesEndpoint(true, Optional.empty(), Optional.empty());
        }

        @Override
        public String toString() {
            return "RoutesEndpoint[enabled=" + enabled + ", user=" + user.orElse("") + ", password="
                    + (password.isPresent() ? "***" : "") + "]";
        }
    }
}
