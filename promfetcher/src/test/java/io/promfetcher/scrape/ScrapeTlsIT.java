package io.promfetcher.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.netty.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeTlsIT {
    private static final Transport TRANSPORT = Transport.best();
    private static final String BODY = "# TYPE up gauge\nup 1\n";

    @TempDir
    static Path certificatesDir;
    private static TestCertificates certificates;
    private static EventLoopGroup group;

    private MockWebServer instance;
    private ScrapeClient client;

    @BeforeAll
    static void generateCertificates() throws Exception {
        certificates = TestCertificates.generate(certificatesDir);
        group = TRANSPORT.newEventLoopGroup(2, "scrape-tls-it");
    }

    @AfterAll
    static void stopEventLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (instance != null) {
            instance.close();
        }
    }

    private void startInstance(boolean requireClientCertificate) throws Exception {
        instance = new MockWebServer();
        instance.useHttps(certificates.instanceSocketFactory());
        if (requireClientCertificate) {
            instance.requireClientAuth();
        }
        instance.start(InetAddress.getLoopbackAddress(), 0);
    }

    private ScrapeClient client(String ca, String cert, String key) {
        client = new ScrapeClient(ScrapeSettings.defaults().withTls(ca, cert, key), group, TRANSPORT, new PrometheusRegistry());
        return client;
    }

    private ScrapeClient trustingClient() {
        return client(certificates.caPem.toString(), "", "");
    }

    /** The plain port is deliberately dead: with a tls_port, only HTTPS may be used. */
    private ScrapeTarget<String> target(String san) throws IOException {
        return ScrapeTarget.https("0", "127.0.0.1", io.promfetcher.testkit.FreePort.find(), instance.getPort(), san,
                "my-app.apps.example.com");
    }

    private ScrapeOutcome<String> scrapeOnce(ScrapeTarget<String> target) throws Exception {
        return client.scrape(List.of(target), new ScrapeRequest(ForwardedHeaders.NONE,
                Duration.ofSeconds(10))).get(30, TimeUnit.SECONDS).get(0);
    }

    private static void assertTlsFailure(ScrapeOutcome<String> outcome, String detailPart) {
        assertThat(outcome).isInstanceOf(ScrapeOutcome.Failure.class);
        ScrapeOutcome.Failure<String> failure = (ScrapeOutcome.Failure<String>) outcome;
        assertThat(failure.reason().label()).isEqualTo("tls");
        assertThat(failure.detail()).contains(detailPart);
    }

    @Test
    void certificateForTheRightSanIsAcceptedAndTheConnectionKept() throws Exception {
        startInstance(false);
        trustingClient();
        instance.enqueue(new MockResponse.Builder().body(BODY).build());
        instance.enqueue(new MockResponse.Builder().body(BODY).build());

        ScrapeOutcome<String> first = scrapeOnce(target(TestCertificates.INSTANCE_SAN));
        ScrapeOutcome<String> second = scrapeOnce(target(TestCertificates.INSTANCE_SAN));

        assertThat(first).isInstanceOf(ScrapeOutcome.Success.class);
        assertThat(new String(((ScrapeOutcome.Success<String>) second).body(), StandardCharsets.UTF_8)).isEqualTo(BODY);
        RecordedRequest request = instance.takeRequest();
        assertThat(request.getHandshakeServerNames()).containsExactly(TestCertificates.INSTANCE_SAN);
        assertThat(request.getHeaders().get("Host")).isEqualTo("my-app.apps.example.com");
        assertThat(instance.takeRequest().getConnectionIndex()).isEqualTo(request.getConnectionIndex());
    }

    @Test
    void certificateForAnotherSanFailsWithTls() throws Exception {
        startInstance(false);
        trustingClient();
        instance.enqueue(new MockResponse.Builder().body(BODY).build());

        assertTlsFailure(scrapeOnce(target("0cc6fd4c-7b07-4b4d-8f5d-2a8d1c3e9f10")), "No subject alternative DNS name matching 0cc6fd4c-7b07-4b4d-8f5d-2a8d1c3e9f10");
        assertThat(instance.getRequestCount()).isZero();
    }

    @Test
    void certificateFromAnUntrustedCaFailsWithTls() throws Exception {
        startInstance(false);
        client(certificates.otherCaPem.toString(), "", "");
        instance.enqueue(new MockResponse.Builder().body(BODY).build());

        assertTlsFailure(scrapeOnce(target(TestCertificates.INSTANCE_SAN)), "unable to find valid certification path");
        assertThat(instance.getRequestCount()).isZero();
    }

    @Test
    void tlsPortWithoutSanFailsWithTlsWithoutConnecting() throws Exception {
        startInstance(false);
        trustingClient();

        ScrapeTarget<String> noSan = new ScrapeTarget<>("0", "127.0.0.1", 8080,
                java.util.OptionalInt.of(instance.getPort()), java.util.Optional.empty(), "my-app.apps.example.com", MetricPath.DEFAULT);

        assertTlsFailure(scrapeOnce(noSan), "no server_cert_domain_san");
        assertThat(instance.getRequestCount()).isZero();
    }

    @Test
    void mutualTlsPresentsTheClientCertificate() throws Exception {
        startInstance(true);
        client(certificates.caPem.toString(), certificates.clientCert.toString(), certificates.clientKey.toString());
        instance.enqueue(new MockResponse.Builder().body(BODY).build());

        ScrapeOutcome<String> outcome = scrapeOnce(target(TestCertificates.INSTANCE_SAN));

        assertThat(outcome).isInstanceOf(ScrapeOutcome.Success.class);
        RecordedRequest request = instance.takeRequest();
        assertThat(request.getHandshake().peerCertificates()).isNotEmpty();
        assertThat(TestCertificates.subject(request.getHandshake().peerCertificates().get(0)))
                .isEqualTo("CN=promfetcher-client");
    }

    @Test
    void mutualTlsAcceptsCredHubStyleRsaAndSec1EcKeys() throws Exception {
        startInstance(true);
        instance.enqueue(new MockResponse.Builder().body(BODY).build());
        instance.enqueue(new MockResponse.Builder().body(BODY).build());

        client(certificates.caPem.toString(), certificates.rsaClientCert.toString(), certificates.rsaClientKey.toString());
        assertThat(java.nio.file.Files.readString(certificates.rsaClientKey)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(scrapeOnce(target(TestCertificates.INSTANCE_SAN))).isInstanceOf(ScrapeOutcome.Success.class);
        client.close();

        client(certificates.caPem.toString(), certificates.clientCert.toString(), certificates.clientKeySec1.toString());
        assertThat(java.nio.file.Files.readString(certificates.clientKeySec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(scrapeOnce(target(TestCertificates.INSTANCE_SAN))).isInstanceOf(ScrapeOutcome.Success.class);

        assertThat(TestCertificates.subject(instance.takeRequest().getHandshake().peerCertificates().get(0)))
                .isEqualTo("CN=promfetcher-rsa-client");
        assertThat(TestCertificates.subject(instance.takeRequest().getHandshake().peerCertificates().get(0)))
                .isEqualTo("CN=promfetcher-client");
    }

    @Test
    void mutualTlsWithoutAClientCertificateFailsWithTls() throws Exception {
        startInstance(true);
        trustingClient();
        instance.enqueue(new MockResponse.Builder().body(BODY).build());

        ScrapeOutcome<String> outcome = scrapeOnce(target(TestCertificates.INSTANCE_SAN));

        // With TLS 1.3 the client's handshake completes before the instance rejects it; the alert
        // arrives on the first read, and is still reported as tls.
        assertTlsFailure(outcome, "bad_certificate");
        assertThat(instance.getRequestCount()).isZero();
    }
}
