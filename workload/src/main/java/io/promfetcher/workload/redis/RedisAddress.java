package io.promfetcher.workload.redis;

import io.promfetcher.workload.config.ConfigException;
import io.promfetcher.workload.config.Env;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/** Where one of the two Redis servers is: {@code host:port} or {@code redis://[:password@]host:port}. */
public record RedisAddress(String host, int port, Optional<String> password) {
    /** Socket timeout: longer than the resolver's blocking pop, so a quiet inbox is not an error. */
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(5);

    public static RedisAddress from(Env env, String name, String fallback) {
        String raw = env.string(name, fallback);
        String expected = "host:port or redis://[:password@]host:port";
        try {
            URI uri = new URI(raw.contains("://") ? raw : "redis://" + raw);
            if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1
                    || uri.getPort() > 65535 || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()
                    || uri.getRawPath().equals("/"))) {
                throw Env.invalid(name, raw, expected);
            }
            Optional<String> password = Optional.ofNullable(uri.getUserInfo())
                    .map(info -> info.startsWith(":") ? info.substring(1) : info)
                    .filter(p -> !p.isEmpty());
            return new RedisAddress(uri.getHost(), uri.getPort(), password);
        } catch (URISyntaxException e) {
            throw Env.invalid(name, raw, expected);
        } catch (ConfigException e) {
            throw e;
        }
    }

    /** A pooled client; a broken connection (Redis restarted) is dropped and the next call reconnects. */
    public JedisPooled connect() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2000)
                .socketTimeoutMillis((int) SOCKET_TIMEOUT.toMillis())
                .clientName("thux");
        password.ifPresent(config::password);
        return new JedisPooled(new HostAndPort(host, port), config.build());
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
