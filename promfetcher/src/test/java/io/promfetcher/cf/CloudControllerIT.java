package io.promfetcher.cf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's Cloud Foundry client against the stand-in: UAA found from the root document,
 * pagination, and bad documents (wrong types, missing fields, huge) each a failure with a reason
 * and a metric, never a crash.
 */
class CloudControllerIT {
    CloudFoundryStandIn cf;
    PrometheusRegistry registry;
    CloudController cc;

    @BeforeEach
    void start() throws Exception {
        cf = new CloudFoundryStandIn();
        registry = new PrometheusRegistry();
        cc = new CloudController(settings(cf, Duration.ofSeconds(5), 1000), registry);
    }

    /**
     * The first call of a cold JVM loads Netty, reactor and Jackson and can outlast a short
     * timeout on a loaded machine; tests about timing start warm.
     */
    static void warmUp(CloudController cc) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            try {
                cc.tokenKeys().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                Thread.sleep(100);
            }
        }
    }

    static CfSettings settings(CloudFoundryStandIn cf, Duration timeout, int perSecond) {
        return new CfSettings(URI.create(cf.apiUrl()), CloudFoundryStandIn.CLIENT_ID, CloudFoundryStandIn.CLIENT_SECRET,
                "", false, 4, perSecond, timeout, Duration.ofMinutes(1), true, Duration.ofSeconds(15));
    }

    @AfterEach
    void stop() throws Exception {
        cc.close();
        cf.close();
    }

    @Test
    void uaaIsFoundFromTheRootDocumentAndItsKeysRead() throws Exception {
        assertThat(cc.tokenKeys().get(10, TimeUnit.SECONDS)).hasSize(1);
        assertThat(cf.count("uaa /token_keys")).isEqualTo(1);
        assertThat(cf.count("uaa /oauth/token")).as("client_credentials against links.uaa").isEqualTo(1);
        assertThat(cf.count("/v2/info")).as("the v2 info document is not needed").isZero();
    }

    @Test
    void everyPageOfAListIsRead() throws Exception {
        for (int i = 0; i < 5; i++) {
            String guid = "00000000-0000-0000-0000-00000000000" + i;
            cf.apps.put(guid, new CloudFoundryStandIn.App(guid, "app" + i, Map.of("prometheus.io/path", "/p" + i)));
        }
        Map<String, Map<String, String>> annotations = cc.annotations().get(10, TimeUnit.SECONDS);
        assertThat(annotations).hasSize(5);
        assertThat(annotations.get("00000000-0000-0000-0000-000000000003")).containsEntry("prometheus.io/path", "/p3");
        assertThat(cf.count("/v3/apps")).as("pages of two").isEqualTo(3);
    }

    @Test
    void theGatewaysOwnTokenIsSentAndTheCallersTokenOnlyForItsCalls() throws Exception {
        String guid = "00000000-0000-0000-0000-000000000001";
        cf.apps.put(guid, new CloudFoundryStandIn.App(guid, "a", Map.of()));
        String user = cf.userWhoSees(guid);
        assertThat(cc.appVisibleTo(user, guid).get(10, TimeUnit.SECONDS)).isTrue();
        cc.annotations().get(10, TimeUnit.SECONDS);
        assertThat(cf.authorizations).containsExactly("bearer " + user, "bearer " + cf.gatewayToken());
    }

    @Test
    void aTokenThatCannotSeeTheAppIsFalseAndAnUnknownTokenIs401() throws Exception {
        String guid = "00000000-0000-0000-0000-000000000001";
        cf.apps.put(guid, new CloudFoundryStandIn.App(guid, "a", Map.of()));
        assertThat(cc.appVisibleTo(cf.userWhoSees(), guid).get(10, TimeUnit.SECONDS)).isFalse();
        assertThatThrownBy(() -> cc.appVisibleTo("unknown", guid).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(CapiException.of(e).status()).isEqualTo(401));
        assertThat(cf.count("/v3/apps/{guid}")).as("no retry with a refused caller token").isEqualTo(2);
    }

    @Test
    void documentsOfTheWrongTypeOrMissingFieldsFailAsBadDocuments() {
        for (CloudFoundryStandIn.Mode mode : List.of(CloudFoundryStandIn.Mode.BAD_TYPES, CloudFoundryStandIn.Mode.MISSING_FIELDS)) {
            cf.appsListMode = mode;
            assertThat(reasonOf(cc.annotations())).as(mode.name()).isEqualTo("bad_document");
        }
        assertThat(count("apps", "bad_document")).isEqualTo(2);
    }

    @Test
    void aHugeDocumentIsCutOffNotRead() {
        cf.appsListMode = CloudFoundryStandIn.Mode.HUGE;
        assertThat(reasonOf(cc.annotations())).isIn("too_large", "connect");
        assertThat(count("apps", "too_large") + count("apps", "connect")).isEqualTo(1);
    }

    @Test
    void errorStatusesKeepTheirStatus() {
        cf.appsListMode = CloudFoundryStandIn.Mode.RATE_LIMITED_429;
        assertThat(reasonOf(cc.annotations())).isEqualTo("http_429");
        cf.appsListMode = CloudFoundryStandIn.Mode.DOWN_503;
        assertThat(reasonOf(cc.annotations())).isEqualTo("http_503");
    }

    @Test
    void aSlowAnswerTimesOut() throws Exception {
        cc.close();
        cc = new CloudController(settings(cf, Duration.ofMillis(500), 1000), registry = new PrometheusRegistry());
        cc.tokenKeys().get(10, TimeUnit.SECONDS); // root document and token first, so only the list is slow
        cf.slowness = Duration.ofSeconds(2);
        cf.appsListMode = CloudFoundryStandIn.Mode.SLOW;
        assertThat(reasonOf(cc.annotations())).isEqualTo("timeout");
    }

    @Test
    void requestsStartNoFasterThanTheRate() throws Exception {
        cc.close();
        cc = new CloudController(settings(cf, Duration.ofSeconds(10), 5), registry = new PrometheusRegistry());
        warmUp(cc);
        Thread.sleep(1000); // the bucket refills to one second's worth
        long start = System.nanoTime();
        List<CompletableFuture<?>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 15; i++) {
            calls.add(cc.tokenKeys());
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        // 5 at once (one second's worth), then 5 per second: 15 calls need at least two seconds
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1800));
    }

    private static String reasonOf(CompletableFuture<?> call) {
        try {
            call.get(20, TimeUnit.SECONDS);
            return "ok";
        } catch (Exception e) {
            return CapiException.of(e).reason();
        }
    }

    private long count(String call, String outcome) {
        for (var snapshot : registry.scrape()) {
            if (snapshot instanceof CounterSnapshot c && c.getMetadata().getName().equals("promfetcher_cf_requests")) {
                return (long) c.getDataPoints().stream()
                        .filter(d -> d.getLabels().get("call").equals(call) && d.getLabels().get("outcome").equals(outcome))
                        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
            }
        }
        return 0;
    }

    @Test
    void overHttpsWithSkipSslValidationTheCloudControllerAndUaaAreReached(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        io.promfetcher.scrape.TestCertificates certificates = io.promfetcher.scrape.TestCertificates.generate(dir);
        try (CloudFoundryStandIn tls = new CloudFoundryStandIn(java.util.Optional.of(certificates.instanceSocketFactory()))) {
            CfSettings s = settings(tls, Duration.ofSeconds(10), 1000);
            CfSettings insecure = new CfSettings(s.apiUrl(), s.clientId(), s.clientSecret(), "", true, 4, 1000,
                    Duration.ofSeconds(10), Duration.ofMinutes(1), true, Duration.ofSeconds(15));
            try (CloudController over = new CloudController(insecure, new PrometheusRegistry())) {
                warmUp(over);
                assertThat(over.tokenKeys().get(10, TimeUnit.SECONDS)).hasSize(1);
                assertThat(tls.count("uaa /oauth/token")).isEqualTo(1);
            }
            CfSettings verified = new CfSettings(s.apiUrl(), s.clientId(), s.clientSecret(), certificates.caPem.toString(), false,
                    4, 1000, Duration.ofSeconds(10), Duration.ofMinutes(1), true, Duration.ofSeconds(15));
            try (CloudController strict = new CloudController(verified, new PrometheusRegistry())) {
                // the certificate names the instance, not 127.0.0.1: verified against the CA, the name still fails
                assertThat(reasonOf(strict.tokenKeys())).isEqualTo("tls");
            }
        }
    }
}
