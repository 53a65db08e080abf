package io.promfetcher.routes;

import java.time.Duration;
import java.util.List;

/**
 * One app instance as the route table knew it at the moment of a lookup. Immutable.
 *
 * @param index              the instance index as announced ("0", "1", …; "" if unknown)
 * @param instanceId         the instance GUID ("" if the emitter sent none)
 * @param host               address to scrape (a Diego cell IP for app instances)
 * @param port               plain HTTP port (0 if only TLS was announced)
 * @param tlsPort            TLS port, 0 if none; when non-zero scrapes use HTTPS on it
 * @param serverCertDomainSan the name the instance certificate must carry when {@code tlsPort} is used
 * @param protocol           {@code http1}, {@code http2} or ""
 * @param availabilityZone   "" if not announced
 * @param uris               the routes this instance is announced under (lower case, no trailing slash)
 * @param sinceRefresh       time since the last announcement of this instance
 * @param staleThreshold     after this long without announcement the instance is pruned
 */
public record Instance(
        String index,
        String instanceId,
        String host,
        int port,
        int tlsPort,
        String serverCertDomainSan,
        String protocol,
        String availabilityZone,
        List<String> uris,
        Duration sinceRefresh,
        Duration staleThreshold) {

    public Instance {
        uris = List.copyOf(uris);
    }

    /** True when scrapes must use HTTPS on {@link #tlsPort()}. */
    public boolean tls() {
        return tlsPort != 0;
    }

    /** The port scrapes use: the TLS port when set, else the plain one. */
    public int scrapePort() {
        return tls() ? tlsPort : port;
    }

    /** {@code host:port} of the scrape port: the value of the {@code instance} label. */
    public String address() {
        return host + ":" + scrapePort();
    }
}
