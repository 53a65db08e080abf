package io.promfetcher.routes;

import static io.promfetcher.routes.Announcements.bytes;
import static io.promfetcher.routes.Announcements.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.promfetcher.testkit.NatsServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cf-deployment's nats-tls shape: mutual TLS and user/password, against a real nats-server with
 * certificates made by openssl for this run.
 */
class NatsTlsIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static NatsServer server;
    private NatsAnnouncements service;

    @BeforeAll
    static void startTlsServer() throws Exception {
        certs = TestCertificates.create(dir);
        Path config = dir.resolve("nats-tls.conf");
        Files.writeString(config, """
                tls {
                  cert_file: "%s"
                  key_file: "%s"
                  ca_file: "%s"
                  verify: true
                  timeout: 5
                }
                authorization {
                  user: "nats"
                  password: "s3cret"
                }
                """.formatted(certs.serverCert(), certs.serverKey(), certs.ca()));
        server = new NatsServer().withArgs("-c", config.toString());
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeService() {
        if (service != null) {
            service.close();
        }
    }

    private String tlsUrl() {
        return "tls://127.0.0.1:" + server.port();
    }

    private NatsSettings settings(String password, Path key) {
        return NatsSettings.defaults().withServers(List.of(tlsUrl()))
                .withUserPassword("nats", password).withTls(certs.ca(), certs.clientCert(), key)
                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    @Test
    @SuppressWarnings("try") // Connection.close() may throw InterruptedException: fine in a test
    void connectsWithMutualTlsAndUserPasswordAndAppliesAnnouncements() throws Exception {
        service = NatsSource.create(RoutesSettings.defaults(), settings("s3cret", certs.clientKey()), new PrometheusRegistry());
        service.start();
        await().atMost(PATIENCE).until(() -> service.connected());

        Options publisherOptions = new Options.Builder().server(tlsUrl()).userInfo("nats", "s3cret")
                .sslContext(PemSslContext.create(Optional.of(certs.ca()), Optional.of(certs.clientCert()),
                        Optional.of(certs.clientKey())))
                .build();
        try (Connection publisher = Nats.connect(publisherOptions)) {
            publisher.publish("router.register", bytes(instance("secure", 0, "10.0.0.1", 8080, "secure.example.com")));
            publisher.flush(PATIENCE);
            await().atMost(PATIENCE).until(() -> service.table().byNames("o", "s", "secure") instanceof Lookup.Found);
        }
    }

    @Test
    void aPkcs1RsaClientKeyWorksToo() {
        service = NatsSource.create(RoutesSettings.defaults(), settings("s3cret", certs.clientKeyPkcs1()), new PrometheusRegistry());
        service.start();
        await().atMost(PATIENCE).until(() -> service.connected());
    }

    @Test
    void aWrongPasswordKeepsUsDisconnectedAndSaysWhyInTheHealthDetail() {
        service = NatsSource.create(RoutesSettings.defaults(), settings("wrong", certs.clientKey()), new PrometheusRegistry());
        service.start();
        await().atMost(PATIENCE).until(() -> service.health().detail().toLowerCase().contains("authorization"));
        assertThat(service.connected()).isFalse();
        assertThat(service.warmingUp()).isTrue();
    }

    @Test
    void withoutAClientCertificateTheServerRefusesUs() {
        NatsSettings noClientCert = new NatsSettings(List.of(tlsUrl()), Optional.of("nats"), Optional.of("s3cret"),
                Optional.empty(), Optional.of(certs.ca()), Optional.empty(), Optional.empty(),
                Duration.ofMillis(200), Duration.ofSeconds(2));
        service = NatsSource.create(RoutesSettings.defaults(), noClientCert, new PrometheusRegistry());
        service.start();
        await().atMost(PATIENCE).until(() -> !service.health().detail().endsWith("not connected yet"));
        assertThat(service.connected()).isFalse();
    }

    @Test
    void theServerIsAlsoReachableByItsDnsName() {
        NatsSettings byName = settings("s3cret", certs.clientKey()).withServers(List.of("tls://localhost:" + server.port()));
        service = NatsSource.create(RoutesSettings.defaults(), byName, new PrometheusRegistry());
        service.start();
        await().atMost(PATIENCE).until(() -> service.connected());
    }

    @Test
    void aServerCertificateForAnotherHostIsRefusedEvenFromOurCa() throws Exception {
        Path config = dir.resolve("nats-elsewhere.conf");
        Files.writeString(config, """
                tls {
                  cert_file: "%s"
                  key_file: "%s"
                  ca_file: "%s"
                  verify: true
                }
                authorization { user: "nats", password: "s3cret" }
                """.formatted(certs.elsewhereCert(), certs.elsewhereKey(), certs.ca()));
        try (NatsServer impostor = new NatsServer().withArgs("-c", config.toString())) {
            impostor.start();
            NatsSettings toImpostor = settings("s3cret", certs.clientKey())
                    .withServers(List.of("tls://127.0.0.1:" + impostor.port()));
            service = NatsSource.create(RoutesSettings.defaults(), toImpostor, new PrometheusRegistry());
            service.start();
            await().atMost(PATIENCE).untilAsserted(
                    () -> assertThat(service.health().detail()).contains("subject alternative names"));
            assertThat(service.connected()).isFalse();
        }
    }

    @Test
    void pemKeysInEveryCommonEncodingAreRead() throws Exception {
        assertThat(PemSslContext.readPrivateKey(certs.clientKey())).isInstanceOf(RSAPrivateCrtKey.class);
        assertThat(PemSslContext.readPrivateKey(certs.clientKeyPkcs1()))
                .isEqualTo(PemSslContext.readPrivateKey(certs.clientKey()));
        assertThat(PemSslContext.readPrivateKey(certs.ecKey())).isInstanceOf(ECPrivateKey.class);
        assertThat(PemSslContext.create(Optional.of(certs.ca()), Optional.of(certs.ecCert()), Optional.of(certs.ecKey())))
                .isNotNull();
    }

    @Test
    void unreadableTlsFilesStopTheStartWithAClearMessage() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a pem file");
        NatsAnnouncements broken = NatsSource.create(RoutesSettings.defaults(), settings("s3cret", garbage), new PrometheusRegistry());
        assertThatThrownBy(broken::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nats TLS").hasMessageContaining("garbage.pem");
        NatsAnnouncements missing = NatsSource.create(RoutesSettings.defaults(),
                settings("s3cret", dir.resolve("no-such-key.pem")), new PrometheusRegistry());
        assertThatThrownBy(missing::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NoSuchFileException").hasMessageContaining("no-such-key.pem");
        Path encrypted = Files.writeString(dir.resolve("encrypted.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemSslContext.readPrivateKey(encrypted)).hasMessageContaining("encrypted");
    }
}
