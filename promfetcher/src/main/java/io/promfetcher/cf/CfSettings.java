package io.promfetcher.cf;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway talks to the Cloud Controller and UAA, and what it asks of them. The
 * configuration key of each is in brackets; defaults live in {@code config.Keys}.
 *
 * @param apiUrl                the API root [{@code cf.api_url}]; UAA is found from its root document
 * @param clientId              the gateway's own UAA client, client_credentials grant [{@code cf.client_id}]
 * @param clientSecret          [{@code cf.client_secret}]
 * @param caFile                PEM CA of the API's and UAA's certificates, "" for the JVM's [{@code cf.ca_file}]
 * @param skipSslValidation     accept any certificate [{@code cf.skip_ssl_validation}]
 * @param maxConcurrentRequests requests in flight at once [{@code cf.max_concurrent_requests}]
 * @param maxRequestsPerSecond  requests started per second [{@code cf.max_requests_per_second}]
 * @param requestTimeout        one request, waiting for its turn included [{@code cf.request_timeout}]
 * @param metadataRefresh       how often annotations and processes are read [{@code cf.metadata_refresh}]
 * @param containerMetrics      add cf_container_* to .../metrics [{@code cf.container_metrics}]
 * @param statsTtl              how long one process's stats are reused [{@code cf.stats_ttl}]
 */
public record CfSettings(URI apiUrl, String clientId, String clientSecret, String caFile, boolean skipSslValidation,
                         int maxConcurrentRequests, int maxRequestsPerSecond, Duration requestTimeout,
                         Duration metadataRefresh, boolean containerMetrics, Duration statsTtl) {
    public CfSettings {
        Objects.requireNonNull(apiUrl, "apiUrl");
        if (apiUrl.getHost() == null || !(apiUrl.getScheme().equals("https") || apiUrl.getScheme().equals("http"))) {
            throw new IllegalArgumentException("cf.api_url must be an http(s) URL with a host, not " + apiUrl);
        }
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(caFile, "caFile");
        if (maxConcurrentRequests < 1 || maxRequestsPerSecond < 1) {
            throw new IllegalArgumentException("cf.max_concurrent_requests and cf.max_requests_per_second must be at least 1");
        }
        positive(requestTimeout, "cf.request_timeout");
        positive(metadataRefresh, "cf.metadata_refresh");
        positive(statsTtl, "cf.stats_ttl");
    }

    boolean secure() {
        return apiUrl.getScheme().equals("https");
    }

    int port() {
        return apiUrl.getPort() > 0 ? apiUrl.getPort() : secure() ? 443 : 80;
    }

    private static void positive(Duration d, String key) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive");
        }
    }
}
