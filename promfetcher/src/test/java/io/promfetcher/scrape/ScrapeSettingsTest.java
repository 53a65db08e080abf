package io.promfetcher.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScrapeSettingsTest {
    private static final ScrapeSettings DEFAULTS = ScrapeSettings.defaults();

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(DEFAULTS.instanceTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(DEFAULTS.timeoutMargin()).isEqualTo(Duration.ofMillis(500));
        assertThat(DEFAULTS.maxBodyBytes()).isEqualTo(50L * 1024 * 1024);
        assertThat(DEFAULTS.maxConnectionsPerInstance()).isEqualTo(2);
        assertThat(DEFAULTS.maxConcurrentScrapes()).isEqualTo(1024);
        assertThat(DEFAULTS.maxConcurrentScrapesPerRequest()).isEqualTo(64);
        assertThat(DEFAULTS.forwardedHeaders()).isEmpty();
        assertThat(DEFAULTS.maxBufferedBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
    }

    @Test
    void refusesACertificateWithoutItsKey() {
        assertThatThrownBy(() -> DEFAULTS.withTls("", "/tmp/cert.pem", ""))
                .hasMessageContaining("scrape.tls.cert_file and scrape.tls.key_file must be set together");
    }

    @Test
    void refusesZeroLimits() {
        assertThatThrownBy(() -> DEFAULTS.withConcurrency(0, 1, 1)).hasMessageContaining("scrape.max_connections_per_instance");
        assertThatThrownBy(() -> DEFAULTS.withConcurrency(1, 0, 1)).hasMessageContaining("scrape.max_concurrent_scrapes ");
        assertThatThrownBy(() -> DEFAULTS.withConcurrency(1, 1, 0)).hasMessageContaining("scrape.max_concurrent_scrapes_per_request");
        assertThatThrownBy(() -> DEFAULTS.withMaxBodyBytes(0)).hasMessageContaining("scrape.max_body_size");
        assertThatThrownBy(() -> DEFAULTS.withMaxBufferedBytes(-1)).hasMessageContaining("scrape.max_buffered_bytes");
        assertThatThrownBy(() -> DEFAULTS.withInstanceTimeout(Duration.ZERO)).hasMessageContaining("scrape.instance_timeout");
    }

    @Test
    void refusesAMarginAsLongAsTheTimeout() {
        assertThatThrownBy(() -> new ScrapeSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 0, 1, 1, 1,
                Duration.ofSeconds(1), 0, "", "", "", List.of())).hasMessageContaining("scrape.timeout_margin");
    }

    @Test
    void refusesAMissingCaFileNamingTheKey() {
        assertThatThrownBy(() -> new InstanceTls(DEFAULTS.withTls("/nonexistent/ca.pem", "", "")))
                .hasMessageContaining("scrape.tls.ca_file /nonexistent/ca.pem cannot be read");
    }

    @Test
    void refusesAnUnreadableCaFile() throws Exception {
        java.nio.file.Path notPem = java.nio.file.Files.createTempFile("not-a-ca", ".pem");
        try {
            java.nio.file.Files.writeString(notPem, "hello\n");
            assertThatThrownBy(() -> new InstanceTls(DEFAULTS.withTls(notPem.toString(), "", "")))
                    .hasMessageContaining("scrape TLS settings are unusable");
        } finally {
            java.nio.file.Files.delete(notPem);
        }
    }

    @Test
    void refusesAClientCertificateFileWithoutACertificate() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("scrape-tls");
        java.nio.file.Path key = dir.resolve("client.key");
        java.nio.file.Path cert = dir.resolve("client.pem");
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            java.nio.file.Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                    + java.util.Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            java.nio.file.Files.writeString(cert, "not a certificate\n");
            assertThatThrownBy(() -> new InstanceTls(DEFAULTS.withTls("", cert.toString(), key.toString())))
                    .hasMessageContaining("scrape.tls.cert_file " + cert);
        } finally {
            java.nio.file.Files.deleteIfExists(key);
            java.nio.file.Files.deleteIfExists(cert);
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void scrapeTargetRefusesBadPortsAndHosts() {
        assertThatThrownBy(() -> ScrapeTarget.http("i", "", 80, "app")).hasMessageContaining("host is empty");
        assertThatThrownBy(() -> ScrapeTarget.http("i", "10.0.0.1", 0, "app")).hasMessageContaining("port 0");
        assertThatThrownBy(() -> ScrapeTarget.https("i", "10.0.0.1", 80, 70000, "san", "app"))
                .hasMessageContaining("tls_port 70000");
        assertThatThrownBy(() -> ScrapeTarget.http("i", "10.0.0.1", 80, "app.example.com\r\nX-Injected: 1"))
                .hasMessageContaining("is not a host name");
        assertThatThrownBy(() -> ScrapeTarget.http("i", "10.0.0.1", 80, "evil.example.com/path"))
                .hasMessageContaining("is not a host name");
        assertThat(ScrapeTarget.http("i", "10.0.0.1", 8080, "").hostHeader()).isEqualTo("10.0.0.1:8080");
        assertThat(new ScrapeTarget<>("i", "10.0.0.1", 8080, java.util.OptionalInt.of(8443), Optional.of("s"), "", MetricPath.DEFAULT)
                .connectPort()).isEqualTo(8443);
    }

    @Test
    void scrapeRequestRefusesANonPositiveDeadline() {
        assertThatThrownBy(() -> new ScrapeRequest(ForwardedHeaders.NONE, Duration.ZERO))
                .hasMessageContaining("deadline must be positive");
    }
}
