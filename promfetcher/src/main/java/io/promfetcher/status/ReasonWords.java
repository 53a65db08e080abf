package io.promfetcher.status;

import io.promfetcher.exposition.FailureReason;

/** What each failure reason means for an operator, and what to check: the words of the explanations and the status page. */
final class ReasonWords {
    private ReasonWords() {}

    static String of(FailureReason reason) {
        if (reason.equals(FailureReason.TIMEOUT)) {
            return "did not answer in time (the caller's scrape timeout minus scrape.timeout_margin, else scrape.instance_timeout)";
        }
        if (reason.equals(FailureReason.CONNECT)) {
            return "the connection failed (refused, reset or closed early): the instance is down or restarting, or the gateway cannot reach the cell's port (check the security groups)";
        }
        if (reason.equals(FailureReason.TLS)) {
            return "the TLS handshake failed: the instance's certificate is not trusted (scrape.tls.ca_file) or does not name the instance";
        }
        if (reason.equals(FailureReason.TOO_LARGE)) {
            return "the body was larger than scrape.max_body_size (after decompression) or than the memory left for bodies";
        }
        if (reason.equals(FailureReason.PARSE)) {
            return "the body is not valid Prometheus text or OpenMetrics";
        }
        if (reason.equals(FailureReason.CONFLICT)) {
            return "some metric families have another type here than on a lower-index instance: those samples were dropped";
        }
        if (reason.equals(FailureReason.HTTP_INVALID)) {
            return "the instance answered a status code outside 100-599";
        }
        int status = reason.httpStatus().orElse(0);
        if (reason.refusedCredentials()) {
            return "the instance refused the credentials sent (HTTP " + status + "): give the scrape job the app's basic auth or bearer token; the gateway forwards Authorization to the app";
        }
        if (status == 404) {
            return "the instance has no metrics at the path scraped (HTTP 404): pass metric_path=/your/path or annotate the app";
        }
        if (status >= 500) {
            return "the instance answered a server error (HTTP " + status + ")";
        }
        return "the instance answered HTTP " + status;
    }
}
