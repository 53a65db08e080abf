package io.promfetcher.scrape;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Limits and TLS material of the fan-out client; see docs/scrape.md for how they interact. The
 * proposed configuration key of each is in brackets.
 *
 * @param instanceTimeout                time one instance may take, from its connection slot to
 *                                       the last body byte [{@code scrape.instance_timeout}, 10s]
 * @param timeoutMargin                  taken off the instance's timeout when it is passed down
 *                                       as {@code X-Prometheus-Scrape-Timeout-Seconds}, and off the
 *                                       caller's timeout by {@link ScrapeClient#deadlineFor}, so
 *                                       answers arrive in time to be merged
 *                                       [{@code scrape.timeout_margin}, 0.5s]
 * @param maxBodyBytes                   largest body accepted, counted after decompression
 *                                       [{@code scrape.max_body_size}, 50MB]
 * @param maxBufferedBytes               the {@link MemoryBudget}: memory instance bodies and
 *                                       merged output take together; 0 means half the JVM's
 *                                       maximum heap; must hold at least one {@code maxBodyBytes}
 *                                       [{@code scrape.max_buffered_bytes}, 0]
 * @param maxConnectionsPerInstance      connections to one instance, busy or idle; also the
 *                                       number of concurrent scrapes of one instance
 *                                       [{@code scrape.max_connections_per_instance}, 2]
 * @param maxConcurrentScrapes           instance scrapes in flight over all fan-outs
 *                                       [{@code scrape.max_concurrent_scrapes}, 1024]
 * @param maxConcurrentScrapesPerRequest instance scrapes in flight for one fan-out, so one app
 *                                       with many instances cannot take every slot
 *                                       [{@code scrape.max_concurrent_scrapes_per_request}, 64]
 * @param idleConnectionTimeout          an idle pooled connection is closed after this
 *                                       [{@code scrape.idle_connection_timeout}, 90s]
 * @param maxIdleConnections             idle connections kept over all instances; a connection
 *                                       beyond it is closed after its scrape, so a foundation of
 *                                       many instances cannot use up the process's file
 *                                       descriptors [{@code scrape.max_idle_connections}, 8192]
 * @param tlsCaFile                      PEM CA bundle that signed the instances' certificates;
 *                                       "" uses the JVM's trust store [{@code scrape.tls.ca_file}]
 * @param tlsCertFile                    PEM client certificate for mutual TLS; "" for none
 *                                       [{@code scrape.tls.cert_file}]
 * @param tlsKeyFile                     its PEM private key: PKCS#8, PKCS#1 RSA or SEC1 EC [{@code scrape.tls.key_file}]
 * @param forwardedHeaders               caller headers forwarded besides {@code Authorization}
 *                                       [{@code scrape.forwarded_headers}, empty]
 */
public record ScrapeSettings(Duration instanceTimeout, Duration timeoutMargin, long maxBodyBytes,
                             long maxBufferedBytes, int maxConnectionsPerInstance, int maxConcurrentScrapes,
                             int maxConcurrentScrapesPerRequest, Duration idleConnectionTimeout, int maxIdleConnections,
                             String tlsCaFile, String tlsCertFile, String tlsKeyFile,
                             List<String> forwardedHeaders) {

    public ScrapeSettings {
        positive(instanceTimeout, "scrape.instance_timeout");
        if (timeoutMargin.isNegative() || timeoutMargin.compareTo(instanceTimeout) >= 0) {
            throw new IllegalArgumentException("scrape.timeout_margin must be at least 0 and less than scrape.instance_timeout");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("scrape.max_body_size must be between 1 byte and 2GB");
        }
        if (maxBufferedBytes < 0) {
            throw new IllegalArgumentException("scrape.max_buffered_bytes must be at least 0 (0: half the heap)");
        }
        maxBufferedBytes = MemoryBudget.configuredLimit(maxBufferedBytes);
        if (maxBodyBytes > maxBufferedBytes) {
            throw new IllegalArgumentException(bodyDoesNotFit(maxBodyBytes, maxBufferedBytes));
        }
        atLeastOne(maxConnectionsPerInstance, "scrape.max_connections_per_instance");
        atLeastOne(maxConcurrentScrapes, "scrape.max_concurrent_scrapes");
        atLeastOne(maxConcurrentScrapesPerRequest, "scrape.max_concurrent_scrapes_per_request");
        positive(idleConnectionTimeout, "scrape.idle_connection_timeout");
        if (maxIdleConnections < 0) {
            throw new IllegalArgumentException("scrape.max_idle_connections must be at least 0");
        }
        Objects.requireNonNull(tlsCaFile, "tlsCaFile");
        Objects.requireNonNull(tlsCertFile, "tlsCertFile");
        Objects.requireNonNull(tlsKeyFile, "tlsKeyFile");
        if (tlsCertFile.isEmpty() != tlsKeyFile.isEmpty()) {
            throw new IllegalArgumentException("scrape.tls.cert_file and scrape.tls.key_file must be set together");
        }
        forwardedHeaders = List.copyOf(forwardedHeaders);
    }

    /** The defaults listed above. */
    public static ScrapeSettings defaults() {
        return new ScrapeSettings(Duration.ofSeconds(10), Duration.ofMillis(500), 50L * 1024 * 1024, 0,
                2, 1024, 64, Duration.ofSeconds(90), 8192, "", "", "", List.of());
    }

    public ScrapeSettings withInstanceTimeout(Duration timeout) {
        return new ScrapeSettings(timeout, timeoutMargin.compareTo(timeout) >= 0 ? Duration.ZERO : timeoutMargin,
                maxBodyBytes, maxBufferedBytes, maxConnectionsPerInstance, maxConcurrentScrapes, maxConcurrentScrapesPerRequest,
                idleConnectionTimeout, maxIdleConnections, tlsCaFile, tlsCertFile, tlsKeyFile, forwardedHeaders);
    }

    public ScrapeSettings withMaxBodyBytes(long bytes) {
        return new ScrapeSettings(instanceTimeout, timeoutMargin, bytes, maxBufferedBytes, maxConnectionsPerInstance,
                maxConcurrentScrapes, maxConcurrentScrapesPerRequest, idleConnectionTimeout, maxIdleConnections,
                tlsCaFile, tlsCertFile, tlsKeyFile, forwardedHeaders);
    }

    public ScrapeSettings withMaxBufferedBytes(long bytes) {
        return new ScrapeSettings(instanceTimeout, timeoutMargin, maxBodyBytes, bytes, maxConnectionsPerInstance,
                maxConcurrentScrapes, maxConcurrentScrapesPerRequest, idleConnectionTimeout, maxIdleConnections,
                tlsCaFile, tlsCertFile, tlsKeyFile, forwardedHeaders);
    }

    public ScrapeSettings withMaxIdleConnections(int max) {
        return new ScrapeSettings(instanceTimeout, timeoutMargin, maxBodyBytes, maxBufferedBytes, maxConnectionsPerInstance,
                maxConcurrentScrapes, maxConcurrentScrapesPerRequest, idleConnectionTimeout, max,
                tlsCaFile, tlsCertFile, tlsKeyFile, forwardedHeaders);
    }

    public ScrapeSettings withConcurrency(int perInstance, int overall, int perRequest) {
        return new ScrapeSettings(instanceTimeout, timeoutMargin, maxBodyBytes, maxBufferedBytes, perInstance, overall, perRequest,
                idleConnectionTimeout, maxIdleConnections, tlsCaFile, tlsCertFile, tlsKeyFile, forwardedHeaders);
    }

    public ScrapeSettings withTls(String caFile, String certFile, String keyFile) {
        return new ScrapeSettings(instanceTimeout, timeoutMargin, maxBodyBytes, maxBufferedBytes, maxConnectionsPerInstance,
                maxConcurrentScrapes, maxConcurrentScrapesPerRequest, idleConnectionTimeout, maxIdleConnections,
                caFile, certFile, keyFile, forwardedHeaders);
    }

    public ScrapeSettings withForwardedHeaders(List<String> names) {
        return new ScrapeSettings(instanceTimeout, timeoutMargin, maxBodyBytes, maxBufferedBytes, maxConnectionsPerInstance,
                maxConcurrentScrapes, maxConcurrentScrapesPerRequest, idleConnectionTimeout, maxIdleConnections,
                tlsCaFile, tlsCertFile, tlsKeyFile, names);
    }

    /** Why a largest body cannot be received within the budget, for the configuration error. */
    public static String bodyDoesNotFit(long maxBodyBytes, long budget) {
        return "scrape.max_body_size (" + (maxBodyBytes >> 10) + " KiB) is larger than the memory for bodies and merged output ("
                + (budget >> 10) + " KiB, scrape.max_buffered_bytes; 0 means half the heap): an instance of that size could"
                + " never be received; lower scrape.max_body_size, raise scrape.max_buffered_bytes or give the JVM more heap (-Xmx)";
    }

    private static void positive(Duration d, String key) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive");
        }
    }

    private static void atLeastOne(int n, String key) {
        if (n < 1) {
            throw new IllegalArgumentException(key + " must be at least 1");
        }
    }
}
