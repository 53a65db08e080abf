package io.promfetcher.scrape;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One app instance to scrape, as the route table announced it.
 *
 * @param instance            the caller's identity for this instance (e.g. the route table's
 *                            instance), handed back untouched in its {@link ScrapeOutcome}
 * @param host                address to connect to (an IP in Cloud Foundry; a name is resolved
 *                            on the event loop, so avoid names)
 * @param port                plain HTTP port
 * @param tlsPort             when present the instance is scraped over HTTPS on this port
 *                            (gorouter's rule: a non-zero {@code tls_port} wins)
 * @param serverCertDomainSan the name the instance's certificate must carry
 *                            ({@code server_cert_domain_san}); required for HTTPS, since the
 *                            certificate is never checked against the IP
 * @param routeHost           the route's host name, sent as {@code Host}; empty sends
 *                            {@code host:port}
 * @param metricPath          the validated path scraped on the instance
 */
public record ScrapeTarget<T>(T instance, String host, int port, OptionalInt tlsPort,
                              Optional<String> serverCertDomainSan, String routeHost, MetricPath metricPath) {
    public ScrapeTarget {
        Objects.requireNonNull(instance, "instance");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("instance host is empty");
        }
        checkPort(port, "port");
        tlsPort.ifPresent(p -> checkPort(p, "tls_port"));
        Objects.requireNonNull(serverCertDomainSan, "serverCertDomainSan");
        Objects.requireNonNull(routeHost, "routeHost");
        Objects.requireNonNull(metricPath, "metricPath");
        for (int i = 0; i < routeHost.length(); i++) {
            char c = routeHost.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == '@') {
                throw new IllegalArgumentException("route host '" + routeHost + "' is not a host name");
            }
        }
    }

    /** A plain HTTP instance, scraped at {@link MetricPath#DEFAULT}. */
    public static <T> ScrapeTarget<T> http(T instance, String host, int port, String routeHost) {
        return new ScrapeTarget<>(instance, host, port, OptionalInt.empty(), Optional.empty(), routeHost, MetricPath.DEFAULT);
    }

    /** An instance scraped over HTTPS at {@link MetricPath#DEFAULT}, its certificate verified against {@code san}. */
    public static <T> ScrapeTarget<T> https(T instance, String host, int port, int tlsPort, String san, String routeHost) {
        return new ScrapeTarget<>(instance, host, port, OptionalInt.of(tlsPort), Optional.of(san), routeHost, MetricPath.DEFAULT);
    }

    /** The same instance scraped at another path. */
    public ScrapeTarget<T> withMetricPath(MetricPath path) {
        return new ScrapeTarget<>(instance, host, port, tlsPort, serverCertDomainSan, routeHost, path);
    }

    boolean tls() {
        return tlsPort.isPresent();
    }

    /** Where the request goes: the TLS port when there is one. */
    int connectPort() {
        return tlsPort.orElse(port);
    }

    String hostHeader() {
        return routeHost.isEmpty() ? host + ":" + connectPort() : routeHost;
    }

    private static void checkPort(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("instance " + what + " " + port + " is not between 1 and 65535");
        }
    }
}
