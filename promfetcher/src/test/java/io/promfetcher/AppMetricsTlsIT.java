package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.routes.Announcements;
import io.promfetcher.scrape.TestCertificates;
import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.NatsServer;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances announced with a tls_port are scraped over HTTPS only, their certificate checked
 * against the announced server_cert_domain_san: the right SAN merges, a wrong one fails with
 * reason tls (an instance that moved, or an address now held by another app's container).
 */
class AppMetricsTlsIT {
    @TempDir
    Path dir;

    @Test
    void theCertificateMustNameTheAnnouncedSan() throws Exception {
        TestCertificates certificates = TestCertificates.generate(dir);
        try (NatsServer nats = new NatsServer(); MockWebServer instance = new MockWebServer();
             MockWebServer other = new MockWebServer()) {
            for (MockWebServer server : new MockWebServer[] {instance, other}) {
                server.useHttps(certificates.instanceSocketFactory());
                server.setDispatcher(new mockwebserver3.Dispatcher() {
                    @Override
                    public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                        return new MockResponse.Builder().body("tls_metric 1\n").build();
                    }
                });
                server.start(InetAddress.getLoopbackAddress(), 0);
            }
            nats.start();
            InProcessGateway started = InProcessGateway.start(nats.url(), Map.of(
                    "PROMFETCHER_ROUTES_REGISTER_INTERVAL", "300ms",
                    "PROMFETCHER_SCRAPE_TLS_CA_FILE", certificates.caPem.toString()));
            Gateway gateway = started.gateway;
            try (Connection publisher = Nats.connect(nats.url())) {
                // With a tls_port, the plain port must never be used: announce dead ones.
                String secureApp = Announcements.appInstance("tls", "test", "secure", Announcements.guid("secure"),
                        TestCertificates.INSTANCE_SAN, "0", "127.0.0.1", FreePort.find(), instance.getPort(), "secure.apps.example.com");
                // The other instance presents the same certificate, but the router says it is someone else.
                String spoofedApp = Announcements.appInstance("tls", "test", "spoofed", Announcements.guid("spoofed"),
                        "99999999-aaaa-bbbb-cccc-dddddddddddd", "0", "127.0.0.1", FreePort.find(), other.getPort(),
                        "spoofed.apps.example.com");
                String api = started.api;
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    publish(publisher, secureApp);
                    publish(publisher, spoofedApp);
                    String routes = GatewayProcess.get(api + "/routes", Map.of()).body();
                    return gateway.health().ready() && routes.contains("\"secure\"") && routes.contains("\"spoofed\"");
                });

                HttpResponse<String> secure = GatewayProcess.get(api + "/v1/apps/tls/test/secure/metrics", Map.of());
                assertThat(secure.statusCode()).as(secure.body()).isEqualTo(200);
                assertThat(secure.body()).contains("tls_metric{organization_id=")
                        .contains("instance=\"127.0.0.1:" + instance.getPort() + "\"");

                HttpResponse<String> spoofed = GatewayProcess.get(api + "/v1/apps/tls/test/spoofed/metrics", Map.of());
                assertThat(spoofed.statusCode()).isEqualTo(502);
                assertThat(spoofed.body()).contains(": tls");
            } finally {
                started.close();
            }
        }
    }

    private static void publish(Connection nats, String json) throws Exception {
        nats.publish("router.register", Announcements.bytes(json));
        nats.flush(Duration.ofSeconds(2));
    }
}
