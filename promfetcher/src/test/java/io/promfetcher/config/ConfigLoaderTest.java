package io.promfetcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private GatewayConfig load(String yaml, Map<String, String> env) throws Exception {
        Optional<Path> file = Optional.empty();
        if (yaml != null) {
            Path f = dir.resolve("promfetcher.yml");
            Files.writeString(f, yaml);
            file = Optional.of(f);
        }
        return ConfigLoader.load(file, env);
    }

    private String error(String yaml, Map<String, String> env) {
        try {
            load(yaml, env);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception");
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError("expected a ConfigException, got " + e, e);
        }
        throw new AssertionError("expected a configuration error");
    }

    @Test
    void aLargestBodyThatCannotFitTheMemoryBudgetIsRefused() {
        assertThat(error(null, Map.of("PROMFETCHER_SCRAPE_MAX_BUFFERED_BYTES", "10MB")))
                .startsWith("scrape.max_body_size")
                .contains("larger than the memory for bodies and merged output");
        assertThat(error("scrape:\n  max_body_size: 20MB\n  max_buffered_bytes: 10MB\n", Map.of()))
                .contains("scrape.max_body_size").contains("scrape.max_buffered_bytes");
    }

    @Test
    void aBudgetHoldingOneLargestBodyIsAccepted() throws Exception {
        assertThat(load(null, Map.of("PROMFETCHER_SCRAPE_MAX_BUFFERED_BYTES", "50MB")).get(Keys.SCRAPE_MAX_BUFFERED_BYTES))
                .isEqualTo(50L << 20);
    }

    @Test
    void runsLocallyWithNoFileAndNoEnvironment() throws Exception {
        GatewayConfig c = load(null, Map.of());
        assertThat(c.get(Keys.PORT)).isEqualTo(8085);
        assertThat(c.get(Keys.HEALTH_PORT)).isEqualTo(8080);
        assertThat(c.get(Keys.NATS_SERVERS)).containsExactly(URI.create("nats://127.0.0.1:4222"));
        assertThat(c.get(Keys.SHUTDOWN_TIMEOUT)).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.origin(Keys.PORT)).isEqualTo("default");
    }

    @Test
    void readsNestedKeysFromTheFile() throws Exception {
        GatewayConfig c = load("""
                port: 9000
                shutdown_timeout: 30s
                http:
                  max_header_size: 32KB
                log:
                  format: JSON
                nats:
                  servers: [nats://a:4222, "tls://b:4224"]
                  user: router
                  password: s3cret
                """, Map.of());
        assertThat(c.get(Keys.PORT)).isEqualTo(9000);
        assertThat(c.get(Keys.SHUTDOWN_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.get(Keys.HTTP_MAX_HEADER_SIZE)).isEqualTo(32 * 1024L);
        assertThat(c.get(Keys.LOG_FORMAT)).isEqualTo("json");
        assertThat(c.get(Keys.NATS_SERVERS)).containsExactly(URI.create("nats://a:4222"), URI.create("tls://b:4224"));
        assertThat(c.get(Keys.NATS_USER)).isEqualTo("router");
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        GatewayConfig c = load("port: 9000\nnats:\n  servers: nats://file:4222\n", Map.of(
                "PROMFETCHER_PORT", "9100",
                "PROMFETCHER_NATS_SERVERS", "nats://env1:4222, nats://env2:4222",
                "PROMFETCHER_HEALTH_PORT", "9101"));
        assertThat(c.get(Keys.PORT)).isEqualTo(9100);
        assertThat(c.get(Keys.HEALTH_PORT)).isEqualTo(9101);
        assertThat(c.get(Keys.NATS_SERVERS)).hasSize(2);
        assertThat(c.origin(Keys.PORT)).isEqualTo("PROMFETCHER_PORT");
    }

    @Test
    void cloudFoundryPortIsUsedWhenPromfetcherPortIsNotSet() throws Exception {
        assertThat(load("port: 9000\n", Map.of("PORT", "61001")).get(Keys.PORT)).isEqualTo(61001);
        assertThat(load(null, Map.of("PORT", "61001", "PROMFETCHER_PORT", "9002")).get(Keys.PORT)).isEqualTo(9002);
    }

    @Test
    void anEmptyFileMeansDefaults() throws Exception {
        assertThat(load("", Map.of()).get(Keys.PORT)).isEqualTo(8085);
        assertThat(load("# only a comment\n", Map.of()).get(Keys.PORT)).isEqualTo(8085);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "PROMFETCHER_PORT=abc | PROMFETCHER_PORT (port): \"abc\" is not a port number",
        "PROMFETCHER_PORT=0 | PROMFETCHER_PORT (port): 0 is out of range; a port is 1 to 65535",
        "PROMFETCHER_HEALTH_PORT=70000 | PROMFETCHER_HEALTH_PORT (health_port): 70000 is out of range; a port is 1 to 65535",
        "PORT=x1 | PORT (port): \"x1\" is not a port number",
        "PROMFETCHER_SHUTDOWN_TIMEOUT=15 | PROMFETCHER_SHUTDOWN_TIMEOUT (shutdown_timeout): \"15\" has no unit; write e.g. 15s or 15ms",
        "PROMFETCHER_SHUTDOWN_TIMEOUT=soon | PROMFETCHER_SHUTDOWN_TIMEOUT (shutdown_timeout): \"soon\" is not a duration; use units ms, s, m, h, d (e.g. 10s, 1m30s)",
        "PROMFETCHER_HTTP_MAX_HEADER_SIZE=huge | PROMFETCHER_HTTP_MAX_HEADER_SIZE (http.max_header_size): \"huge\" is not a size; write e.g. 512KB, 50MB, 1GB or a number of bytes",
        "PROMFETCHER_LOG_FORMAT=xml | PROMFETCHER_LOG_FORMAT (log.format): \"xml\" is not one of text, json",
        "PROMFETCHER_NATS_SERVERS=http://x:4222 | PROMFETCHER_NATS_SERVERS (nats.servers): \"http://x:4222\" is not a nats:// or tls:// URL with a host",
        "PROMFETCHER_NATS_SERVERS=nats://user:secret@:4222 | PROMFETCHER_NATS_SERVERS (nats.servers): \"nats://***@:4222\" is not a nats:// or tls:// URL with a host",
        "PROMFETCHER_PROT=1 | PROMFETCHER_PROT: unknown setting; did you mean PROMFETCHER_PORT? (see --help for the list)",
        "PROMFETCHER_NATS_TLS_CA_FILE=/nonexistent/ca.pem | PROMFETCHER_NATS_TLS_CA_FILE (nats.tls.ca_file): cannot read file /nonexistent/ca.pem",
        "PROMFETCHER_HEALTH_PORT=8085 | PROMFETCHER_HEALTH_PORT (health_port): 8085 is also the API port; the two need different ports",
        "PROMFETCHER_NATS_USER=u | nats.password: required with nats.user",
        "PROMFETCHER_ROUTES_API_PASSWORD=p | routes.api.user: required with routes.api.password",
        "PROMFETCHER_ROUTES_STALE_THRESHOLD=5m | PROMFETCHER_ROUTES_STALE_THRESHOLD (routes.stale_threshold): 5m is out of range 1s to 2m",
        "PROMFETCHER_NATS_TOKEN=t;PROMFETCHER_NATS_USER=u;PROMFETCHER_NATS_PASSWORD=p | nats.token: set together with nats.user; NATS takes either a token or a user and password",
    })
    void aWrongEnvironmentValueGivesOneLineNamingIt(String assignments, String expected) {
        Map<String, String> env = new java.util.HashMap<>();
        for (String a : assignments.split(";")) {
            int eq = a.indexOf('=');
            env.put(a.substring(0, eq), a.substring(eq + 1));
        }
        assertThat(error(null, env)).isEqualTo(expected);
    }

    @Test
    void anUnknownKeyInTheFileIsNamedWithASuggestion() {
        assertThat(error("nats:\n  server: nats://x:4222\n", Map.of()))
                .isEqualTo("nats.server (in " + dir.resolve("promfetcher.yml") + "): unknown key; did you mean nats.servers? (see --help for the list)");
        assertThat(error("colour: blue\n", Map.of())).endsWith("colour (in " + dir.resolve("promfetcher.yml") + "): unknown key (see --help for the list)");
    }

    @Test
    void aSectionWhereAValueBelongsIsRefused() {
        assertThat(error("port:\n  number: 1\n", Map.of())).endsWith("port (in " + dir.resolve("promfetcher.yml") + "): expected a value, found a section");
    }

    @Test
    void aBadValueInTheFileNamesKeyAndFile() {
        assertThat(error("http:\n  max_concurrent_requests: many\n", Map.of()))
                .isEqualTo("http.max_concurrent_requests (in " + dir.resolve("promfetcher.yml") + "): \"many\" is not a whole number");
    }

    @Test
    void malformedYamlGivesLineAndColumn() {
        assertThat(error("port: 8085\nnats:\n  servers: [nats://a:4222\n", Map.of()))
                .startsWith(dir.resolve("promfetcher.yml") + ": malformed YAML at line ");
        assertThat(error("port: 1\nport: 2\n", Map.of())).contains("malformed YAML").contains("duplicate key port");
        assertThat(error("- a\n- b\n", Map.of())).endsWith("the top level must be a mapping of keys to values");
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Path missing = dir.resolve("nope.yml");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(missing), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(missing + ": cannot read the config file");
    }

    @Test
    void secretsAreNeverEchoed() {
        assertThat(error("nats:\n  password: [a, b]\n  token: hunter2\n  user: u\n", Map.of()))
                .doesNotContain("hunter2");
    }

    @Test
    void certificateFilesMustBeReadablePem() throws IOException {
        Path notPem = Files.writeString(dir.resolve("cert.txt"), "hello");
        assertThat(error(null, Map.of("PROMFETCHER_NATS_TLS_CERT_FILE", notPem.toString(),
                "PROMFETCHER_NATS_TLS_KEY_FILE", notPem.toString())))
                .isEqualTo("PROMFETCHER_NATS_TLS_CERT_FILE (nats.tls.cert_file): " + notPem + " is not a PEM file (no -----BEGIN line)");
        Path pem = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        assertThat(error(null, Map.of("PROMFETCHER_NATS_TLS_CERT_FILE", pem.toString())))
                .isEqualTo("nats.tls.key_file: required with nats.tls.cert_file (a client certificate needs its private key)");
    }

    @Test
    void everyKeyMapsToItsOwnEnvironmentVariable() {
        assertThat(Keys.ALL.stream().map(Key::environmentVariable)).doesNotHaveDuplicates()
                .contains("PROMFETCHER_PORT", "PROMFETCHER_HEALTH_PORT", "PROMFETCHER_NATS_SERVERS");
        assertThat(Keys.ALL.stream().map(Key::name)).doesNotHaveDuplicates();
    }

    @Test
    void listsReadTheSameFromFileAndEnvironment() throws Exception {
        List<URI> fromFile = load("nats:\n  servers:\n    - nats://a:1\n    - nats://b:2\n", Map.of()).get(Keys.NATS_SERVERS);
        List<URI> fromEnv = load(null, Map.of("PROMFETCHER_NATS_SERVERS", "nats://a:1,nats://b:2")).get(Keys.NATS_SERVERS);
        assertThat(fromFile).isEqualTo(fromEnv);
    }

    @Test
    void cloudFoundryKeysAreCheckedTogether() throws Exception {
        Map<String, String> api = Map.of("PROMFETCHER_CF_API_URL", "https://api.sys.example.com",
                "PROMFETCHER_CF_CLIENT_ID", "promfetcher", "PROMFETCHER_CF_CLIENT_SECRET", "s3cret");
        assertThat(load(null, api).get(Keys.CF_API_URL)).isEqualTo("https://api.sys.example.com");
        assertThat(error(null, Map.of("PROMFETCHER_AUTH_MODE", "cf"))).contains("auth.mode").contains("cf.api_url");
        assertThat(error(null, Map.of("PROMFETCHER_CF_API_URL", "https://api.sys.example.com"))).startsWith("cf.client_id: required");
        assertThat(error(null, Map.of("PROMFETCHER_CF_API_URL", "ftp://api.example.com"))).contains("PROMFETCHER_CF_API_URL");
        assertThat(error(null, Map.of("PROMFETCHER_CF_API_URL", "https://a.example.com,https://b.example.com"))).contains("more than one URL");
        Map<String, String> both = new java.util.HashMap<>(api);
        both.put("PROMFETCHER_CF_SKIP_SSL_VALIDATION", "true");
        both.put("PROMFETCHER_CF_CA_FILE", certificateFile().toString());
        assertThat(error(null, both)).startsWith("cf.skip_ssl_validation");
        assertThat(error(null, Map.of("PROMFETCHER_AUTH_MODE", "bearer"))).contains("not one of none, cf");
    }

    @Test
    void authModeCfRefusesSettingsThatWouldLeakOrBeIgnored() throws Exception {
        Map<String, String> cf = new java.util.HashMap<>(Map.of("PROMFETCHER_CF_API_URL", "https://api.sys.example.com",
                "PROMFETCHER_CF_CLIENT_ID", "promfetcher", "PROMFETCHER_CF_CLIENT_SECRET", "s3cret", "PROMFETCHER_AUTH_MODE", "cf"));
        assertThat(load(null, cf).get(Keys.AUTH_APP_AUTHORIZATION_HEADER)).isEqualTo("X-App-Authorization");
        Map<String, String> forwardsAuthorization = new java.util.HashMap<>(cf);
        forwardsAuthorization.put("PROMFETCHER_SCRAPE_FORWARDED_HEADERS", "X-Tenant,Authorization");
        assertThat(error(null, forwardsAuthorization)).contains("Authorization cannot be forwarded");
        Map<String, String> appHeader = new java.util.HashMap<>(cf);
        appHeader.put("PROMFETCHER_AUTH_APP_AUTHORIZATION_HEADER", "Authorization");
        assertThat(error(null, appHeader)).contains("PROMFETCHER_AUTH_APP_AUTHORIZATION_HEADER");
        Map<String, String> basic = new java.util.HashMap<>(cf);
        basic.put("PROMFETCHER_ROUTES_API_USER", "ops");
        basic.put("PROMFETCHER_ROUTES_API_PASSWORD", "pw");
        assertThat(error(null, basic)).startsWith("routes.api.user: not used with auth.mode cf");
    }

    private static Path certificateFile() throws Exception {
        Path file = Files.createTempFile("ca", ".pem");
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        file.toFile().deleteOnExit();
        return file;
    }

    @Test
    void anEnabledBrokerNeedsItsUserAndANonEmptyPassword() {
        assertThat(error(null, Map.of("PROMFETCHER_BROKER_ENABLED", "true", "PROMFETCHER_BROKER_USER", "cc")))
                .startsWith("broker.password").contains("required when broker.enabled is true");
        assertThat(error(null, Map.of("PROMFETCHER_BROKER_ENABLED", "true", "PROMFETCHER_BROKER_PASSWORD", "s")))
                .startsWith("broker.user");
        assertThat(error(null, Map.of("PROMFETCHER_BROKER_ENABLED", "true", "PROMFETCHER_BROKER_USER", "cc",
                "PROMFETCHER_BROKER_PASSWORD", "   "))).startsWith("PROMFETCHER_BROKER_PASSWORD (broker.password)");
    }

    @Test
    void aDisabledBrokerIsNotChecked() throws Exception {
        GatewayConfig c = load(null, Map.of("PROMFETCHER_BROKER_DATABASE_URL", "jdbc:mysql://db/x"));
        assertThat(c.get(Keys.BROKER_ENABLED)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:h2:mem:broker|in-memory",
        "jdbc:h2:tcp://db/broker|remote H2",
        "jdbc:mysql://db:3306/broker|not a supported JDBC URL",
        "postgres://db/broker|not a supported JDBC URL",
    })
    void theBrokerDatabaseMustBePostgresqlOrAnEmbeddedH2File(String url, String problem) {
        assertThat(error(null, Map.of("PROMFETCHER_BROKER_ENABLED", "true", "PROMFETCHER_BROKER_USER", "cc",
                "PROMFETCHER_BROKER_PASSWORD", "s", "PROMFETCHER_BROKER_DATABASE_URL", url)))
                .startsWith("PROMFETCHER_BROKER_DATABASE_URL (broker.database_url)").contains(problem);
    }

    @Test
    void aRefusedDatabaseUrlIsQuotedWithoutItsPassword() {
        assertThat(error(null, Map.of("PROMFETCHER_BROKER_ENABLED", "true", "PROMFETCHER_BROKER_USER", "cc",
                "PROMFETCHER_BROKER_PASSWORD", "s", "PROMFETCHER_BROKER_DATABASE_URL", "jdbc:mysql://u:hunter2@db/x?password=hunter2")))
                .doesNotContain("hunter2");
    }

    @Test
    void theBrokerAcceptsPostgresqlAndH2FileUrls() throws Exception {
        for (String url : List.of("jdbc:postgresql://db.example.com:5432/promfetcher", "jdbc:h2:file:/var/vcap/store/promfetcher/broker",
                "jdbc:h2:./broker")) {
            GatewayConfig c = load(null, Map.of("PROMFETCHER_BROKER_ENABLED", "true", "PROMFETCHER_BROKER_USER", "cc",
                    "PROMFETCHER_BROKER_PASSWORD", "s", "PROMFETCHER_BROKER_DATABASE_URL", url));
            assertThat(c.get(Keys.BROKER_DATABASE_URL)).isEqualTo(url);
        }
    }
}
