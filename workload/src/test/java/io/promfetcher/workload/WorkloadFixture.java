package io.promfetcher.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promfetcher.testkit.RedisServer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.linkfarm.LinkFarm;
import io.promfetcher.workload.redis.RedisKeys;
import io.promfetcher.workload.source.Sources;
import io.promfetcher.workload.synthetic.SyntheticPosts;
import io.promfetcher.workload.synthetic.SyntheticWorld;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.resps.Tuple;

/**
 * A whole Hot URLs system for a test: the two real Redis servers (inbox without persistence,
 * hotlist with AOF), the link farm, and the environment every service reads, so services start
 * from the same configuration path as the jar. Also runs a service as a child process of the jar.
 */
public final class WorkloadFixture implements AutoCloseable {
    public final RedisServer inboxRedis = new RedisServer();
    public final RedisServer hotlistRedis = new RedisServer().withAppendOnly();
    public final LinkFarm farm;
    public final Env env;
    public final SyntheticWorld world;
    private final List<Process> processes = new ArrayList<>();
    private JedisPooled inbox;
    private JedisPooled hotlist;

    /** @param extra variables on top of the defaults (seed, size, post count, latencies…) */
    public WorkloadFixture(Map<String, String> extra) {
        inboxRedis.start();
        hotlistRedis.start();
        Map<String, String> vars = new HashMap<>(Map.of(
                "INBOX_REDIS", "127.0.0.1:" + inboxRedis.port(),
                "HOTLIST_REDIS", "127.0.0.1:" + hotlistRedis.port(),
                "PORT", "0",
                "SYNTHETIC_SEED", "11",
                "SYNTHETIC_LINKS", "300",
                "SYNTHETIC_RATE", "0",
                "RESOLVER_READ_TIMEOUT", "2s",
                "LINKFARM_SLOW_DELAY", "100ms",
                "LINKFARM_STALL_DELAY", "5s",
                "CLEANER_INTERVAL", "200ms"));
        vars.putAll(extra);
        Env base = Env.of(vars);
        farm = LinkFarm.fromEnv(base).start();
        env = base.with("RESOLVER_HTTP_PROXY", "127.0.0.1:" + farm.port());
        world = Sources.world(env);
    }

    public JedisPooled inbox() {
        if (inbox == null) {
            inbox = client(inboxRedis);
        }
        return inbox;
    }

    public JedisPooled hotlist() {
        if (hotlist == null) {
            hotlist = client(hotlistRedis);
        }
        return hotlist;
    }

    /** A client that checks a pooled connection before use, so it survives a Redis restart. */
    private static JedisPooled client(RedisServer server) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setTestOnBorrow(true);
        return new JedisPooled(pool, "127.0.0.1", server.port());
    }

    /** What the hotlist must hold once every post of the configured count has been resolved. */
    public Map<String, Long> expectedScores() {
        long posts = Long.parseLong(env.optional("SYNTHETIC_POSTS").orElseThrow());
        return world.expectedScores(new SyntheticPosts(world, posts));
    }

    /** Waits until the inbox and every in-flight list are empty: every pushed URL has been handled. */
    public void awaitDrained(int resolverInstances) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (inbox().llen(RedisKeys.INBOX) > 0) {
                return false;
            }
            for (int i = 0; i < resolverInstances; i++) {
                if (inbox().llen(RedisKeys.inFlight(i)) > 0) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Asserts the hotlist holds exactly these final URLs with exactly these scores, texts included. */
    public void assertHotlistIs(Map<String, Long> expected) {
        Map<String, Long> actual = new HashMap<>();
        List<Tuple> all = hotlist().zrangeWithScores(RedisKeys.HOTLIST, 0, -1);
        for (Tuple tuple : all) {
            String text = hotlist().get(RedisKeys.urlText(tuple.getElement()));
            assertThat(text).as("url:%s", tuple.getElement()).isNotNull();
            assertThat(RedisKeys.md5Hex(text)).isEqualTo(tuple.getElement());
            actual.put(text, (long) tuple.getScore());
        }
        assertThat(actual).isEqualTo(expected);
    }

    /** Starts a service as a child process of the real jar, with the fixture's environment plus extras. */
    public Process startProcess(String service, Map<String, String> extra) {
        Path jar = Path.of("target", "workload.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the jar first (mvn package): " + jar.toAbsolutePath());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString(), service);
        builder.environment().clear();
        builder.environment().putAll(envMap());
        builder.environment().putAll(extra);
        try {
            File log = Files.createTempFile("thux-" + service + "-", ".log").toFile();
            Process process = builder.redirectErrorStream(true).redirectOutput(log).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> envMap() {
        Map<String, String> vars = new HashMap<>();
        for (String name : List.of("INBOX_REDIS", "HOTLIST_REDIS", "PORT", "SYNTHETIC_SEED", "SYNTHETIC_LINKS",
                "SYNTHETIC_RATE", "SYNTHETIC_POSTS", "RESOLVER_READ_TIMEOUT", "RESOLVER_HTTP_PROXY", "HOTLIST_TTL",
                "RESOLVER_SHUTDOWN_GRACE")) {
            env.optional(name).ifPresent(value -> vars.put(name, value));
        }
        vars.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return vars;
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (inbox != null) {
            inbox.close();
        }
        if (hotlist != null) {
            hotlist.close();
        }
        farm.close();
        inboxRedis.close();
        hotlistRedis.close();
    }
}
