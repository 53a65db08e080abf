package io.promfetcher.routes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How to reach the NATS servers the Cloud Foundry routers use. cf-deployment's {@code nats-tls}
 * needs mutual TLS (CA, client certificate and key, PEM) <em>and</em> user/password.
 *
 * @param servers        {@code nats://} or {@code tls://} URLs; the client picks among them and
 *                       reconnects forever
 * @param user           with {@code password}; both or neither
 * @param password       with {@code user}
 * @param token          alternative to user/password
 * @param tlsCaFile      PEM CA certificate(s) that signed the servers' certificates; without it the
 *                       JDK's default trust store is used for {@code tls://}
 * @param tlsCertFile    PEM client certificate (chain), with {@code tlsKeyFile}
 * @param tlsKeyFile     PEM private key: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA
 *                       PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}); not encrypted
 * @param reconnectWait  pause between reconnection attempts to one server
 * @param connectTimeout timeout of one connection attempt
 */
public record NatsSettings(
        List<String> servers,
        Optional<String> user,
        Optional<String> password,
        Optional<String> token,
        Optional<Path> tlsCaFile,
        Optional<Path> tlsCertFile,
        Optional<Path> tlsKeyFile,
        Duration reconnectWait,
        Duration connectTimeout) {

    public static final String DEFAULT_SERVER = "nats://127.0.0.1:4222";

    public NatsSettings {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("nats.servers: at least one server is needed");
        }
        for (String server : servers) {
            String lower = server.toLowerCase(Locale.ROOT);
            if (!(lower.startsWith("nats://") || lower.startsWith("tls://")) || lower.indexOf("://") + 3 >= lower.length()) {
                throw new IllegalArgumentException("nats.servers: '" + server + "' is not a nats:// or tls:// URL");
            }
        }
        if (user.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("nats.user and nats.password go together: set both or neither");
        }
        if (token.isPresent() && user.isPresent()) {
            throw new IllegalArgumentException("nats.token and nats.user/password exclude each other");
        }
        if (tlsCertFile.isPresent() != tlsKeyFile.isPresent()) {
            throw new IllegalArgumentException("nats.tls.cert_file and nats.tls.key_file go together: set both or neither");
        }
        requirePositive("nats.reconnect_wait", reconnectWait);
        requirePositive("nats.connect_timeout", connectTimeout);
    }

    /** Production defaults: one local server, no authentication, no TLS. */
    public static NatsSettings defaults() {
        return new NatsSettings(List.of(DEFAULT_SERVER), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(5));
    }

    public NatsSettings withServers(List<String> newServers) {
        return new NatsSettings(newServers, user, password, token, tlsCaFile, tlsCertFile, tlsKeyFile,
                reconnectWait, connectTimeout);
    }

    public NatsSettings withUserPassword(String newUser, String newPassword) {
        return new NatsSettings(servers, Optional.of(newUser), Optional.of(newPassword), token, tlsCaFile,
                tlsCertFile, tlsKeyFile, reconnectWait, connectTimeout);
    }

    public NatsSettings withTls(Path caFile, Path certFile, Path keyFile) {
        return new NatsSettings(servers, user, password, token, Optional.of(caFile), Optional.of(certFile),
                Optional.of(keyFile), reconnectWait, connectTimeout);
    }

    public NatsSettings withTimings(Duration newReconnectWait, Duration newConnectTimeout) {
        return new NatsSettings(servers, user, password, token, tlsCaFile, tlsCertFile, tlsKeyFile,
                newReconnectWait, newConnectTimeout);
    }

    /** True when any server is {@code tls://} or TLS files are given. */
    public boolean tls() {
        return tlsCaFile.isPresent() || tlsCertFile.isPresent()
                || servers.stream().anyMatch(s -> s.toLowerCase(Locale.ROOT).startsWith("tls://"));
    }

    /** The servers with any {@code user:password@} replaced by {@code ***@}, for logs and health. */
    public List<String> redactedServers() {
        return servers.stream().map(NatsSettings::redact).toList();
    }

    static String redact(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@', scheme + 3);
        int slash = url.indexOf('/', scheme + 3);
        if (scheme < 0 || at < 0 || (slash >= 0 && slash < at)) {
            return url;
        }
        return url.substring(0, scheme + 3) + "***" + url.substring(at);
    }

    static void requirePositive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    @Override
    public String toString() { // never print secrets
        return "NatsSettings[servers=" + redactedServers() + ", user=" + user.orElse("") + ", password="
                + (password.isPresent() ? "***" : "") + ", token=" + (token.isPresent() ? "***" : "")
                + ", tlsCaFile=" + tlsCaFile.map(Path::toString).orElse("") + ", tlsCertFile="
                + tlsCertFile.map(Path::toString).orElse("") + ", tlsKeyFile=" + tlsKeyFile.map(Path::toString).orElse("")
                + ", reconnectWait=" + reconnectWait + ", connectTimeout=" + connectTimeout + "]";
    }
}
