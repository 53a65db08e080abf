package io.promfetcher.workload.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.promfetcher.testkit.RedisServer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.redis.AgeingMode;
import io.promfetcher.workload.redis.Hotlist;
import io.promfetcher.workload.redis.RedisKeys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * What a resolver does at start with the in-flight list a crashed predecessor of the same index
 * left: each case set up by hand, so every branch is exercised deterministically.
 */
class ResolverRecoveryIT {
    private static final int INDEX = 5;
    private RedisServer inboxRedis;
    private RedisServer hotlistRedis;
    private JedisPooled inbox;
    private JedisPooled hotlist;
    private HttpServer web;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        inboxRedis = new RedisServer();
        inboxRedis.start();
        hotlistRedis = new RedisServer().withAppendOnly();
        hotlistRedis.start();
        inbox = new JedisPooled("127.0.0.1", inboxRedis.port());
        hotlist = new JedisPooled("127.0.0.1", hotlistRedis.port());
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        web.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        web.start();
    }

    @AfterEach
    void stop() {
        web.stop(0);
        inbox.close();
        hotlist.close();
        inboxRedis.close();
        hotlistRedis.close();
    }

    private Resolver startResolver() {
        return Resolver.fromEnv(Env.of(Map.of(
                "INBOX_REDIS", "127.0.0.1:" + inboxRedis.port(),
                "HOTLIST_REDIS", "127.0.0.1:" + hotlistRedis.port(),
                "RESOLVER_HTTP_PROXY", "127.0.0.1:" + web.getAddress().getPort(),
                "INSTANCE_INDEX", Integer.toString(INDEX),
                "PORT", "0")), Clock.systemUTC()).start();
    }

    private Double score(String url) {
        return hotlist.zscore(RedisKeys.HOTLIST, RedisKeys.md5Hex(url));
    }

    private void awaitInFlightEmpty() {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                inbox.llen(RedisKeys.inFlight(INDEX)) == 0 && inbox.llen(RedisKeys.INBOX) == 0);
    }

    @Test
    void mentionScoredBeforeTheCrashIsClearedNotCountedAgain() {
        String url = "http://scored.example/";
        String token = UUID.randomUUID().toString();
        new Hotlist(hotlist).score(url, INDEX, token, AgeingMode.SLIDING, Instant.now().plusSeconds(3600));
        inbox.rpush(RedisKeys.inFlight(INDEX), token + " " + url);

        try (Resolver resolver = startResolver()) {
            awaitInFlightEmpty();
        }
        assertThat(score(url)).isEqualTo(1.0);
        assertThat(requests.get()).isZero();
    }

    @Test
    void taggedMentionNotYetScoredIsPutBackAndScoredOnce() {
        String url = "http://unscored.example/";
        inbox.rpush(RedisKeys.inFlight(INDEX), UUID.randomUUID() + " " + url);

        try (Resolver resolver = startResolver()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> Double.valueOf(1.0).equals(score(url)));
            awaitInFlightEmpty();
        }
        assertThat(score(url)).isEqualTo(1.0);
    }

    @Test
    void untaggedUrlTakenJustBeforeTheCrashIsPutBackWhole() {
        // The token is added after the take: a crash in between leaves the bare URL (spaces and all).
        String url = "http://untagged.example/a b";
        String good = "http://untagged.example/";
        inbox.rpush(RedisKeys.inFlight(INDEX), good);
        inbox.rpush(RedisKeys.INBOX, url);

        try (Resolver resolver = startResolver()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> Double.valueOf(1.0).equals(score(good)));
            awaitInFlightEmpty();
        }
        assertThat(hotlist.zcard(RedisKeys.HOTLIST)).isEqualTo(1); // the URL with a space is dropped as invalid
    }
}
