package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.NatsServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The BOSH job's templates render (Debian's ruby ERB) with representative properties and nats /
 * nats-tls links, and the rendered gateway configuration passes the jar's own --check-config.
 */
class BoshTemplatesIT {
    @TempDir
    static Path certs;
    @TempDir
    Path dir;

    private static String ca;
    private static String clientCert;
    private static String clientKey;

    /** A CA and a client certificate it signed, as cf-deployment's nats_client_cert would be. */
    @BeforeAll
    static void makeCertificates() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=nats-ca");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
                "-subj", "/CN=promfetcher");
        openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "client.pem", "-days", "2");
        ca = Files.readString(certs.resolve("ca.pem"));
        clientCert = Files.readString(certs.resolve("client.pem"));
        clientKey = Files.readString(certs.resolve("client.key"));
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of("openssl"), Stream.of(args)).toList())
                .directory(certs.toFile()).redirectErrorStream(true);
        GatewayJar.Result result = GatewayJar.run(builder);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + ": " + result.output());
        }
    }

    // ---- representative deployment data -------------------------------------------------

    private static Map<String, Object> natsLink() {
        return Map.of(
                "properties", Map.of("nats", Map.of("user", "nats", "password", "link-secret", "port", 4222,
                        "hostname", "nats.service.cf.internal")),
                "instances", List.of(
                        Map.of("address", "q-s0.nats.default.cf.bosh", "index", 0, "name", "nats", "id", "a1"),
                        Map.of("address", "q-s1.nats.default.cf.bosh", "index", 1, "name", "nats", "id", "b2")));
    }

    private static Map<String, Object> natsTlsLink() {
        return Map.of(
                "properties", Map.of("nats", Map.of("user", "nats", "password", "link-secret", "port", 4224,
                        "hostname", "nats.service.cf.internal", "external", Map.of("tls", Map.of("ca", ca)))),
                "instances", List.of(
                        Map.of("address", "10.0.0.10", "index", 0, "name", "nats", "id", "a1"),
                        Map.of("address", "10.0.0.11", "index", 1, "name", "nats", "id", "b2")));
    }

    private static Map<String, Object> context(Map<String, Object> properties, Map<String, Object> links) {
        return Map.of("properties", Map.of("promfetcher", properties), "links", links,
                "spec", Map.of("name", "promfetcher", "address", "10.0.1.5", "ip", "10.0.1.5", "index", 0,
                        "id", "c3", "deployment", "promfetcher", "bootstrap", true));
    }

    private static Map<String, Object> withClientCertificate(Map<String, Object> properties) {
        Map<String, Object> p = new HashMap<>(properties);
        p.put("nats", Map.of("tls", Map.of("client_cert", clientCert, "client_key", clientKey)));
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String text) {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> config, String... path) {
        Map<String, Object> node = config;
        for (String key : path) {
            node = (Map<String, Object>) node.get(key);
        }
        return node;
    }

    private GatewayJar.Result checkRenderedConfig(Path job) throws Exception {
        return GatewayJar.checkConfig(Map.of(), "--config", job.resolve("config/promfetcher.yml").toString());
    }

    // ---- the gateway configuration -------------------------------------------------------

    @Test
    void theNatsLinkGivesOneServerPerInstanceWithTheLinkCredentials() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of(), Map.of("nats", natsLink())), dir);
        Map<String, Object> config = yaml(Files.readString(job.resolve("config/promfetcher.yml")));

        assertThat(section(config, "nats").get("servers"))
                .isEqualTo(List.of("nats://q-s0.nats.default.cf.bosh:4222", "nats://q-s1.nats.default.cf.bosh:4222"));
        assertThat(section(config, "nats")).containsEntry("user", "nats").containsEntry("password", "link-secret");
        assertThat(section(config, "nats", "tls")).containsEntry("ca_file", "").containsEntry("cert_file", "");
        assertThat(config).containsEntry("port", 8085).containsEntry("health_port", 8080);

        GatewayJar.Result check = checkRenderedConfig(job);
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void theNatsTlsLinkWithAClientCertificateGivesMutualTlsWithTheLinkCa() throws Exception {
        Path job = BoshJob.renderJob(context(withClientCertificate(Map.of()),
                Map.of("nats", natsLink(), "nats-tls", natsTlsLink())), dir);
        Map<String, Object> config = yaml(Files.readString(job.resolve("config/promfetcher.yml")));

        assertThat(section(config, "nats").get("servers")).isEqualTo(List.of("tls://10.0.0.10:4224", "tls://10.0.0.11:4224"));
        assertThat(section(config, "nats", "tls"))
                .containsEntry("ca_file", job.resolve("config/certs/nats_ca.pem").toString())
                .containsEntry("cert_file", job.resolve("config/certs/nats_client.pem").toString())
                .containsEntry("key_file", job.resolve("config/certs/nats_client.key").toString());
        assertThat(Files.readString(job.resolve("config/certs/nats_ca.pem")).strip()).isEqualTo(ca.strip());
        assertThat(Files.readString(job.resolve("config/certs/nats_client.pem")).strip()).isEqualTo(clientCert.strip());
        assertThat(Files.readString(job.resolve("config/certs/nats_client.key")).strip()).isEqualTo(clientKey.strip());

        GatewayJar.Result check = checkRenderedConfig(job);
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void withBothLinksAndNoClientCertificatePlainNatsIsUsed() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of(), Map.of("nats", natsLink(), "nats-tls", natsTlsLink())), dir);
        Map<String, Object> config = yaml(Files.readString(job.resolve("config/promfetcher.yml")));

        assertThat((List<?>) section(config, "nats").get("servers")).allSatisfy(s -> assertThat((String) s).startsWith("nats://"));
        assertThat(checkRenderedConfig(job).exitCode()).isZero();
    }

    @Test
    void linkAddressHostnameUsesTheLinksNatsHostname() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of("nats", Map.of("link_address", "hostname")),
                Map.of("nats", natsLink())), dir);
        Map<String, Object> config = yaml(Files.readString(job.resolve("config/promfetcher.yml")));

        assertThat(section(config, "nats").get("servers")).isEqualTo(List.of("nats://nats.service.cf.internal:4222"));
    }

    @Test
    void jobPropertiesOverrideTheLinkValues() throws Exception {
        Map<String, Object> properties = Map.of(
                "port", 9085, "health_port", 9080, "shutdown_timeout", "10s",
                "log", Map.of("format", "json", "level", "debug"),
                "nats", Map.of("servers", List.of("nats://10.9.9.9:4222"), "user", "scraper", "password", "own-secret"),
                "routes", Map.of("api", Map.of("user", "operator", "password", "routes-secret")));
        Path job = BoshJob.renderJob(context(properties, Map.of("nats", natsLink())), dir);
        Map<String, Object> config = yaml(Files.readString(job.resolve("config/promfetcher.yml")));

        assertThat(section(config, "nats").get("servers")).isEqualTo(List.of("nats://10.9.9.9:4222"));
        assertThat(section(config, "nats")).containsEntry("user", "scraper").containsEntry("password", "own-secret");
        assertThat(section(config, "log")).containsEntry("format", "json").containsEntry("level", "debug");
        assertThat(section(config, "routes", "api")).containsEntry("user", "operator");
        assertThat(config).containsEntry("port", 9085).containsEntry("shutdown_timeout", "10s");

        GatewayJar.Result check = checkRenderedConfig(job);
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void theCloudFoundryApiAndCallerAuthorizationReachTheGatewayAndPassItsCheck() throws Exception {
        Map<String, Object> properties = Map.of(
                "cf", Map.of("api_url", "https://api.sys.example.com", "client_id", "promfetcher", "client_secret", "uaa-secret",
                        "ca", ca, "metadata_refresh", "2m", "stats_ttl", "30s", "max_requests_per_second", 50),
                "auth", Map.of("mode", "cf", "cache_ttl", "30s", "app_authorization_header", "X-App-Credentials"));
        Path job = BoshJob.renderJob(context(properties, Map.of("nats", natsLink())), dir);
        Map<String, Object> config = yaml(Files.readString(job.resolve("config/promfetcher.yml")));

        assertThat(section(config, "cf")).containsEntry("api_url", "https://api.sys.example.com")
                .containsEntry("client_id", "promfetcher").containsEntry("client_secret", "uaa-secret")
                .containsEntry("ca_file", job.toAbsolutePath() + "/config/certs/cf_ca.pem")
                .containsEntry("metadata_refresh", "2m").containsEntry("max_requests_per_second", 50);
        assertThat(section(config, "auth")).containsEntry("mode", "cf").containsEntry("app_authorization_header", "X-App-Credentials");
        assertThat(Files.readString(job.resolve("config/certs/cf_ca.pem")).strip()).isEqualTo(ca.strip());

        GatewayJar.Result check = checkRenderedConfig(job);
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void withoutTheCloudFoundryApiNoCfOrAuthSectionIsWritten() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of(), Map.of("nats", natsLink())), dir);
        Map<String, Object> config = yaml(Files.readString(job.resolve("config/promfetcher.yml")));
        assertThat(config).doesNotContainKeys("cf", "auth");
        assertThat(Files.readString(job.resolve("config/certs/cf_ca.pem")).strip()).isEmpty();
    }

    @Test
    void authModeCfWithoutTheApiIsRefusedWhenRendering() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BoshJob.renderJob(
                        context(Map.of("auth", Map.of("mode", "cf")), Map.of("nats", natsLink())), dir))
                .hasMessageContaining("promfetcher.cf.api_url");
    }

    @Test
    void serversGivenAsPropertiesNeedNoLink() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of("nats", Map.of("servers", List.of("nats://10.9.9.9:4222"))), Map.of()), dir);

        assertThat(checkRenderedConfig(job).exitCode()).isZero();
    }

    @Test
    void aWrongValueIsCaughtByTheGatewaysOwnCheckNamingTheKey() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of("log", Map.of("level", "loud")), Map.of("nats", natsLink())), dir);

        GatewayJar.Result check = checkRenderedConfig(job);

        assertThat(check.exitCode()).isEqualTo(2);
        assertThat(check.output()).contains("log.level");
    }

    @Test
    void fanOutSettingsAppearOnlyWhenSetSoTheGatewayKeepsItsOwnDefaults() throws Exception {
        Path defaults = BoshJob.renderJob(context(Map.of(), Map.of("nats", natsLink())), dir.resolve("defaults"));
        Path set = BoshJob.renderJob(context(Map.of("scrape", Map.of(
                "instance_timeout", "5s", "max_body_size", "20MB", "forwarded_headers", List.of("X-Tenant", "X-Trace"),
                "tls", Map.of("ca", ca, "client_cert", clientCert, "client_key", clientKey))),
                Map.of("nats", natsLink())), dir.resolve("set"));

        assertThat(yaml(Files.readString(defaults.resolve("config/promfetcher.yml")))).doesNotContainKey("scrape");
        Map<String, Object> scrape = section(yaml(Files.readString(set.resolve("config/promfetcher.yml"))), "scrape");
        assertThat(scrape).containsEntry("instance_timeout", "5s").containsEntry("max_body_size", "20MB")
                .containsEntry("forwarded_headers", "X-Tenant,X-Trace").doesNotContainKey("max_connections_per_instance");
        assertThat(section(scrape, "tls"))
                .containsEntry("ca_file", set.resolve("config/certs/scrape_ca.pem").toString())
                .containsEntry("cert_file", set.resolve("config/certs/scrape_client.pem").toString())
                .containsEntry("key_file", set.resolve("config/certs/scrape_client.key").toString());
        assertThat(Files.readString(set.resolve("config/certs/scrape_ca.pem")).strip()).isEqualTo(ca.strip());
        assertThat(Files.readString(set.resolve("config/certs/scrape_client.key")).strip()).isEqualTo(clientKey.strip());
    }

    @Test
    void aScrapeClientCertificateWithoutItsKeyIsAClearError() throws Exception {
        BoshJob.Rendered rendered = BoshJob.render("promfetcher.yml.erb", context(
                Map.of("scrape", Map.of("tls", Map.of("client_cert", clientCert))), Map.of("nats", natsLink())));

        assertThat(rendered.exitCode()).isNotZero();
        assertThat(rendered.errors()).contains("promfetcher.scrape.tls.client_cert and promfetcher.scrape.tls.client_key go together");
    }

    // ---- clear errors at deploy time -----------------------------------------------------

    @Test
    void theNatsTlsLinkWithoutAClientCertificateIsAClearError() throws Exception {
        BoshJob.Rendered rendered = BoshJob.render("promfetcher.yml.erb", context(Map.of(), Map.of("nats-tls", natsTlsLink())));

        assertThat(rendered.exitCode()).isNotZero();
        assertThat(rendered.errors()).contains("nats-tls link needs a client certificate", "promfetcher.nats.tls.client_cert");
    }

    @Test
    void noNatsAtAllIsAClearError() throws Exception {
        BoshJob.Rendered rendered = BoshJob.render("promfetcher.yml.erb", context(Map.of(), Map.of()));

        assertThat(rendered.exitCode()).isNotZero();
        assertThat(rendered.errors()).contains("no NATS to listen to");
    }

    @Test
    void aClientCertificateWithoutItsKeyIsAClearError() throws Exception {
        BoshJob.Rendered rendered = BoshJob.render("promfetcher.yml.erb", context(
                Map.of("nats", Map.of("tls", Map.of("client_cert", clientCert))), Map.of("nats-tls", natsTlsLink())));

        assertThat(rendered.exitCode()).isNotZero();
        assertThat(rendered.errors()).contains("client_cert and promfetcher.nats.tls.client_key go together");
    }

    @Test
    void anUnknownLinkAddressModeIsAClearError() throws Exception {
        BoshJob.Rendered rendered = BoshJob.render("promfetcher.yml.erb", context(
                Map.of("nats", Map.of("link_address", "dns")), Map.of("nats", natsLink())));

        assertThat(rendered.exitCode()).isNotZero();
        assertThat(rendered.errors()).contains("link_address must be instances or hostname");
    }

    @Test
    void aPropertyTheSpecDoesNotDeclareFailsTheRenderingAsInBosh() throws Exception {
        Path template = Files.writeString(dir.resolve("typo.erb"), "<%= p('promfetcher.prot') %>\n");

        BoshJob.Rendered rendered = BoshJob.render(template, context(Map.of(), Map.of()));

        assertThat(rendered.exitCode()).isNotZero();
        assertThat(rendered.errors()).contains("promfetcher.prot", "not declared");
    }

    // ---- the service broker ----------------------------------------------------------------

    /** postgres-release's postgres job as cf-deployment runs it, with a promfetcher database and role. */
    private static Map<String, Object> databaseLink(boolean tls) {
        Map<String, Object> databases = new HashMap<>(Map.of("port", 5524,
                "databases", List.of(Map.of("name", "ccdb"), Map.of("name", "promfetcher")),
                "roles", List.of(Map.of("name", "cloud_controller", "password", "cc-secret"),
                        Map.of("name", "promfetcher", "password", "db-secret"))));
        if (tls) {
            databases.put("tls", Map.of("ca", ca));
        }
        return Map.of("properties", Map.of("databases", databases),
                "address", "q-s0.database.default.cf.bosh",
                "instances", List.of(Map.of("address", "10.0.0.20", "index", 0, "name", "database", "id", "d1")));
    }

    private static Map<String, Object> brokerEnabled(Map<String, Object> more) {
        Map<String, Object> broker = new HashMap<>(Map.of("enabled", true, "password", "broker-secret"));
        broker.putAll(more);
        return Map.of("broker", broker);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> bpm(Path job) throws IOException {
        Map<String, Object> bpm = yaml(Files.readString(job.resolve("config/bpm.yml")));
        return ((List<Map<String, Object>>) bpm.get("processes")).get(0);
    }

    @Test
    void theBrokerUsesTheLinkedPostgresqlWithItsRoleAndCaOverTls() throws Exception {
        Path job = BoshJob.renderJob(context(brokerEnabled(Map.of()), Map.of("nats", natsLink(), "database", databaseLink(true))), dir);
        Map<String, Object> broker = section(yaml(Files.readString(job.resolve("config/promfetcher.yml"))), "broker");

        assertThat(broker).containsEntry("enabled", true).containsEntry("user", "promfetcher-broker")
                .containsEntry("password", "broker-secret")
                .containsEntry("database_url", "jdbc:postgresql://q-s0.database.default.cf.bosh:5524/promfetcher?sslmode=verify-full&sslrootcert="
                        + job.resolve("config/certs/broker_database_ca.pem"))
                .containsEntry("database_user", "promfetcher").containsEntry("database_password", "db-secret")
                .doesNotContainKey("refresh_interval");
        assertThat(Files.readString(job.resolve("config/certs/broker_database_ca.pem")).strip()).isEqualTo(ca.strip());
        assertThat(bpm(job)).doesNotContainKey("persistent_disk");

        GatewayJar.Result check = checkRenderedConfig(job);
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void withoutADatabaseTheBrokerKeepsItsEmbeddedFileOnThePersistentDisk() throws Exception {
        Path job = BoshJob.renderJob(context(brokerEnabled(Map.of("refresh_interval", "5s")), Map.of("nats", natsLink())), dir);
        Map<String, Object> broker = section(yaml(Files.readString(job.resolve("config/promfetcher.yml"))), "broker");

        assertThat(broker).containsEntry("database_url", "jdbc:h2:file:/var/vcap/store/promfetcher/broker/promfetcher-broker")
                .containsEntry("refresh_interval", "5s");
        assertThat(bpm(job)).containsEntry("persistent_disk", true);
        assertThat(checkRenderedConfig(job).exitCode()).isZero();
    }

    @Test
    void theDatabaseUrlPropertyWinsOverTheLink() throws Exception {
        Path job = BoshJob.renderJob(context(brokerEnabled(Map.of("database_url", "jdbc:postgresql://db.example.com:5432/metrics",
                "database_user", "owner", "database_password", "own")), Map.of("nats", natsLink(), "database", databaseLink(false))), dir);
        Map<String, Object> broker = section(yaml(Files.readString(job.resolve("config/promfetcher.yml"))), "broker");

        assertThat(broker).containsEntry("database_url", "jdbc:postgresql://db.example.com:5432/metrics")
                .containsEntry("database_user", "owner").containsEntry("database_password", "own");
        assertThat(checkRenderedConfig(job).exitCode()).isZero();
    }

    @Test
    void aDisabledBrokerLeavesNoBrokerSectionAndNoPersistentDisk() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of(), Map.of("nats", natsLink(), "database", databaseLink(false))), dir);

        assertThat(yaml(Files.readString(job.resolve("config/promfetcher.yml")))).doesNotContainKey("broker");
        assertThat(bpm(job)).doesNotContainKey("persistent_disk");
    }

    @Test
    void anEnabledBrokerWithoutAPasswordFailsTheDeploymentNamingTheProperty() throws Exception {
        BoshJob.Rendered rendered = BoshJob.render("promfetcher.yml.erb", context(Map.of("broker", Map.of("enabled", true)),
                Map.of("nats", natsLink())));

        assertThat(rendered.exitCode()).isNotZero();
        assertThat(rendered.errors()).contains("promfetcher.broker.password is required");
    }

    @Test
    void aDatabaseOrRoleTheLinkDoesNotHaveIsAClearError() throws Exception {
        BoshJob.Rendered noDatabase = BoshJob.render("promfetcher.yml.erb", context(brokerEnabled(Map.of("database_name", "other")),
                Map.of("nats", natsLink(), "database", databaseLink(false))));
        BoshJob.Rendered noRole = BoshJob.render("promfetcher.yml.erb", context(brokerEnabled(Map.of("database_role", "nobody")),
                Map.of("nats", natsLink(), "database", databaseLink(false))));

        assertThat(noDatabase.exitCode()).isNotZero();
        assertThat(noDatabase.errors()).contains("promfetcher.broker.database_name other", "ccdb, promfetcher");
        assertThat(noRole.exitCode()).isNotZero();
        assertThat(noRole.errors()).contains("promfetcher.broker.database_role nobody");
    }

    // ---- the broker registrar errand -------------------------------------------------------

    private static Map<String, Object> gatewayLink(boolean brokerEnabled) {
        return Map.of("properties", Map.of("promfetcher", Map.of("port", 8085, "health_port", 8080,
                        "broker", Map.of("enabled", brokerEnabled, "user", "promfetcher-broker", "password", "broker secret"))),
                "address", "q-s0.promfetcher.default.cf.bosh",
                "instances", List.of(Map.of("address", "10.0.1.5", "index", 0, "name", "promfetcher", "id", "c3")));
    }

    private static Map<String, Object> registrarContext(Map<String, Object> properties, Map<String, Object> links) {
        Map<String, Object> cf = new HashMap<>(Map.of("api_url", "https://api.sys.example.com", "username", "admin",
                "password", "admin secret"));
        Map<String, Object> p = new HashMap<>(properties);
        p.merge("cf", cf, (given, defaults) -> {
            Map<String, Object> merged = new HashMap<>(cf);
            merged.putAll(castMap(given));
            return merged;
        });
        return Map.of("properties", Map.of("promfetcher_broker_registrar", p), "links", links,
                "spec", Map.of("name", "promfetcher-broker-registrar", "address", "10.0.1.9", "index", 0, "id", "e1",
                        "deployment", "cf", "bootstrap", true));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    /**
     * A stand-in for the cf CLI (not packaged for Debian): records each call and answers
     * {@code cf curl /v3/service_brokers} with the v3 API's document for zero or one broker, as
     * the Cloud Controller would before and after the first registration.
     */
    private Path fakeCf() throws IOException {
        Path cf = dir.resolve("cf");
        Files.writeString(cf, """
                #!/usr/bin/env bash
                echo "$* [CF_USERNAME=${CF_USERNAME:-}]" >> "$FAKE_CF_LOG"
                case "$1" in
                  curl)
                    if [ -f "$FAKE_CF_STATE" ]; then
                      printf '{\n   "pagination": {\n      "total_results": 1,\n      "total_pages": 1\n   },\n   "resources": [{"guid": "b1", "name": "promfetcher"}]\n}\n'
                    else
                      printf '{\n   "pagination": {\n      "total_results": 0,\n      "total_pages": 1\n   },\n   "resources": []\n}\n'
                    fi ;;
                  create-service-broker) touch "$FAKE_CF_STATE" ;;
                esac
                """);
        cf.toFile().setExecutable(true);
        return cf;
    }

    private GatewayJar.Result runErrand(Path script, Path cf) throws Exception {
        ProcessBuilder run = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        run.environment().put("PROMFETCHER_CF_CLI", cf.toString());
        run.environment().put("CF_HOME", dir.toString());
        run.environment().put("FAKE_CF_LOG", dir.resolve("cf.log").toString());
        run.environment().put("FAKE_CF_STATE", dir.resolve("registered").toString());
        return GatewayJar.run(run);
    }

    @Test
    void theRegistrarCreatesTheBrokerOnceThenUpdatesItAndOpensThePlan() throws Exception {
        String script = BoshJob.render(BoshJob.REGISTRAR, "run.erb", registrarContext(Map.of(),
                Map.of("promfetcher", gatewayLink(true)))).requireSuccess().output();
        Path file = Files.writeString(dir.resolve("run"), script);
        assertThat(GatewayJar.run(new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true)).exitCode()).isZero();
        Path cf = fakeCf();

        GatewayJar.Result first = runErrand(file, cf);
        GatewayJar.Result second = runErrand(file, cf);

        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(second.exitCode()).as(second.output()).isZero();
        List<String> calls = Files.readAllLines(dir.resolve("cf.log"));
        String url = "http://q-s0.promfetcher.default.cf.bosh:8085/broker";
        assertThat(calls).containsExactly(
                "api https://api.sys.example.com [CF_USERNAME=]",
                "auth [CF_USERNAME=admin]",
                "curl /v3/service_brokers?names=promfetcher [CF_USERNAME=]",
                "create-service-broker promfetcher promfetcher-broker broker secret " + url + " [CF_USERNAME=]",
                "enable-service-access promfetcher -b promfetcher [CF_USERNAME=]",
                "api https://api.sys.example.com [CF_USERNAME=]",
                "auth [CF_USERNAME=admin]",
                "curl /v3/service_brokers?names=promfetcher [CF_USERNAME=]",
                "update-service-broker promfetcher promfetcher-broker broker secret " + url + " [CF_USERNAME=]",
                "enable-service-access promfetcher -b promfetcher [CF_USERNAME=]");
        assertThat(script).as("the admin password goes in the environment, not on a command line")
                .contains("CF_PASSWORD=admin\\ secret \"$cf\" auth");
    }

    @Test
    void theRegistrarOpensThePlanToTheListedOrgsWithAClientAndTheGivenUrl() throws Exception {
        String script = BoshJob.render(BoshJob.REGISTRAR, "run.erb", registrarContext(Map.of(
                "cf", Map.of("username", "", "client_id", "registrar", "client_secret", "s", "skip_ssl_validation", true),
                "broker", Map.of("url", "https://promfetcher.sys.example.com/broker"),
                "service_access", Map.of("orgs", List.of("team-a", "team b"))),
                Map.of("promfetcher", gatewayLink(true)))).requireSuccess().output();
        Path file = Files.writeString(dir.resolve("run"), script);

        GatewayJar.Result run = runErrand(file, fakeCf());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(Files.readAllLines(dir.resolve("cf.log"))).contains(
                "api https://api.sys.example.com --skip-ssl-validation [CF_USERNAME=]",
                "auth --client-credentials [CF_USERNAME=registrar]",
                "create-service-broker promfetcher promfetcher-broker broker secret https://promfetcher.sys.example.com/broker [CF_USERNAME=]",
                "enable-service-access promfetcher -b promfetcher -o team-a [CF_USERNAME=]",
                "enable-service-access promfetcher -b promfetcher -o team b [CF_USERNAME=]");
    }

    @Test
    void theRegistrarRefusesGatewaysWithoutTheBrokerAndAMissingCli() throws Exception {
        BoshJob.Rendered disabled = BoshJob.render(BoshJob.REGISTRAR, "run.erb", registrarContext(Map.of(),
                Map.of("promfetcher", gatewayLink(false))));
        assertThat(disabled.exitCode()).isNotZero();
        assertThat(disabled.errors()).contains("promfetcher.broker.enabled is false");

        String script = BoshJob.render(BoshJob.REGISTRAR, "run.erb", registrarContext(Map.of(),
                Map.of("promfetcher", gatewayLink(true)))).requireSuccess().output();
        Path file = Files.writeString(dir.resolve("run"), script);
        GatewayJar.Result run = runErrand(file, dir.resolve("no-such-cf"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("cf-cli-8-linux");
    }

    // ---- bpm, start script, monit, drain -------------------------------------------------

    @Test
    @SuppressWarnings("unchecked")
    void bpmYamlRendersToValidYamlRunningTheStartScriptWithLimits() throws Exception {
        String rendered = BoshJob.render("bpm.yml.erb", context(Map.of("limits", Map.of("memory", "2G")),
                Map.of("nats", natsLink()))).requireSuccess().output();
        Map<String, Object> bpm = yaml(rendered);

        List<Map<String, Object>> processes = (List<Map<String, Object>>) bpm.get("processes");
        assertThat(processes).hasSize(1);
        Map<String, Object> process = processes.get(0);
        assertThat(process).containsEntry("name", "promfetcher")
                .containsEntry("executable", BoshJob.VM_JOB_DIR + BoshJob.templates().get("promfetcher.erb"));
        assertThat((Map<String, Object>) process.get("limits")).containsEntry("memory", "2G").containsEntry("open_files", 65536);
    }

    @Test
    void theStartScriptIsValidBashAndRunsTheJarWithTheRenderedConfiguration() throws Exception {
        String script = BoshJob.render("promfetcher.erb", context(
                Map.of("jvm", Map.of("max_heap", "768m", "extra_options", List.of("-XX:+UseG1GC", "-Dx=a b"))),
                Map.of("nats", natsLink()))).requireSuccess().output();
        Path file = Files.writeString(dir.resolve("promfetcher"), script);

        GatewayJar.Result syntax = GatewayJar.run(new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true));

        assertThat(syntax.exitCode()).as(syntax.output()).isZero();
        assertThat(script).contains("source /var/vcap/packages/openjdk-17/bosh/runtime.env",
                "-Xmx768m", "-XX:+UseG1GC", "-Dx\\=a\\ b",
                "-jar /var/vcap/packages/promfetcher/promfetcher.jar",
                "--config " + BoshJob.VM_JOB_DIR + BoshJob.templates().get("promfetcher.yml.erb"));
    }

    @Test
    void monitWatchesTheBpmPidFileAndStartsAndStopsThroughBpm() throws IOException {
        String monit = Files.readString(BoshJob.jobDir().resolve("monit"));

        assertThat(monit).contains("check process promfetcher",
                "with pidfile /var/vcap/sys/run/bpm/promfetcher/promfetcher.pid",
                "start program \"/var/vcap/jobs/bpm/bin/bpm start promfetcher\"",
                "stop program \"/var/vcap/jobs/bpm/bin/bpm stop promfetcher\"",
                "group vcap");
    }

    @Test
    void everyTemplateTheSpecNamesExistsAndEveryTemplateFileIsInTheSpec() throws IOException {
        try (Stream<Path> files = Files.list(BoshJob.jobDir().resolve("templates"))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(BoshJob.templates().keySet());
        }
        assertThat(BoshJob.templates()).containsEntry("bpm.yml.erb", "config/bpm.yml").containsEntry("drain.erb", "bin/drain");
    }

    @Test
    void thePackagingScriptsAreValidBash() throws Exception {
        for (String pkg : List.of("promfetcher", "openjdk-17")) {
            Path packaging = ShippedFiles.boshRelease().resolve("packages").resolve(pkg).resolve("packaging");
            GatewayJar.Result syntax = GatewayJar.run(new ProcessBuilder("bash", "-n", packaging.toString()).redirectErrorStream(true));
            assertThat(syntax.exitCode()).as(pkg + ": " + syntax.output()).isZero();
        }
    }

    @Test
    void theDrainScriptLetsARunningGatewayFinishAndThenTellsBoshToGoOn() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of(), Map.of("nats", natsLink())), dir);
        Path drain = job.resolve(BoshJob.templates().get("drain.erb"));
        int healthPort = FreePort.find();
        try (NatsServer nats = new NatsServer()) {
            nats.start();
            Process gateway = GatewayJar.builder(Map.of(
                    "PROMFETCHER_PORT", Integer.toString(FreePort.find()),
                    "PROMFETCHER_HEALTH_PORT", Integer.toString(healthPort),
                    "PROMFETCHER_NATS_SERVERS", nats.url()))
                    .redirectOutput(dir.resolve("gateway.log").toFile())
                    .start();
            try {
                awaitStarted(dir.resolve("gateway.log"), gateway, healthPort);
                Path pidfile = Files.writeString(dir.resolve("promfetcher.pid"), Long.toString(gateway.pid()));

                ProcessBuilder drainProcess = new ProcessBuilder("bash", drain.toString()).redirectErrorStream(true);
                drainProcess.environment().put("PROMFETCHER_PIDFILE", pidfile.toString());
                drainProcess.environment().put("PROMFETCHER_DRAIN_LOG", dir.resolve("drain.log").toString());

                GatewayJar.Result result = GatewayJar.run(drainProcess);

                assertThat(result.output()).isEqualTo("0\n");
                assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(gateway.exitValue()).isZero();
                assertThat(Files.readString(dir.resolve("drain.log"))).contains("sending SIGUSR1", "has exited");
                assertThat(Files.readString(dir.resolve("gateway.log"))).contains("SIGUSR1");
            } finally {
                gateway.destroyForcibly();
            }
        }
    }

    @Test
    void theDrainScriptWithoutARunningGatewayTellsBoshToGoOnAtOnce() throws Exception {
        Path job = BoshJob.renderJob(context(Map.of(), Map.of("nats", natsLink())), dir);
        ProcessBuilder drain = new ProcessBuilder("bash", job.resolve("bin/drain").toString()).redirectErrorStream(true);
        drain.environment().put("PROMFETCHER_PIDFILE", dir.resolve("missing.pid").toString());
        drain.environment().put("PROMFETCHER_DRAIN_LOG", dir.resolve("drain.log").toString());

        GatewayJar.Result result = GatewayJar.run(drain);

        assertThat(result.output()).isEqualTo("0\n");
        assertThat(Files.readString(dir.resolve("drain.log"))).contains("nothing to drain");
    }

    /**
     * Waits for the start-up line and a healthy answer: the gateway installs its signal handlers
     * just after logging that it started, and a SIGUSR1 before that would kill the JVM.
     */
    private static void awaitStarted(Path log, Process gateway, int healthPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/health")).build();
        for (int i = 0; i < 300; i++) {
            if (!gateway.isAlive()) {
                throw new AssertionError("gateway exited: " + Files.readString(log, StandardCharsets.UTF_8));
            }
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("started in")) {
                try {
                    if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // the health port is not answering yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("gateway did not start in 30 s: " + Files.readString(log, StandardCharsets.UTF_8));
    }
}
