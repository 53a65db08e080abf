package io.promfetcher.workload.announce;

import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.config.Instance;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * Route announcement settings read from the environment: off unless {@code NATS_URL} is set.
 * Read (and validated) at start-up; the announcer itself starts once the port is bound.
 */
public record Announcing(Optional<String> natsUrl, String host, Duration interval, String domain,
        String org, String space) {

    public static Announcing fromEnv(Env env) {
        Optional<String> natsUrl = env.optional("NATS_URL");
        natsUrl.ifPresent(url -> {
            try {
                URI uri = new URI(url.split(",")[0].trim());
                if (uri.getHost() == null || uri.getScheme() == null) {
                    throw Env.invalid("NATS_URL", url, "nats://host:port");
                }
            } catch (URISyntaxException e) {
                throw Env.invalid("NATS_URL", url, "nats://host:port");
            }
        });
        return new Announcing(natsUrl,
                env.string("ANNOUNCE_HOST", "127.0.0.1"),
                env.duration("ANNOUNCE_INTERVAL", Duration.ofSeconds(20), Duration.ofMillis(100), Duration.ofMinutes(10)),
                env.string("ROUTE_DOMAIN", "thux.local"),
                env.string("CF_ORG", "thux"),
                env.string("CF_SPACE", "local"));
    }

    /** Starts announcing this instance on its bound port, if a NATS URL is configured. */
    public Optional<RouteAnnouncer> start(Instance instance, int boundPort) {
        if (natsUrl.isEmpty()) {
            return Optional.empty();
        }
        RouteRegistration registration = RouteRegistration.forInstance(
                host, boundPort, domain, org, space, instance.service(), instance.index());
        return Optional.of(RouteAnnouncer.start(natsUrl.get(), registration, interval));
    }
}
