package io.promfetcher.workload.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.promfetcher.testkit.RedisServer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.redis.RedisKeys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** The resolver's cache: a hit is scored without any HTTP request; a miss is resolved and cached. */
class ResolverCacheIT {
    private RedisServer inboxRedis;
    private RedisServer hotlistRedis;
    private JedisPooled inbox;
    private JedisPooled hotlist;
    private HttpServer web;
    private final AtomicInteger requests = new AtomicInteger();
    private Resolver resolver;

    @BeforeEach
    void start() throws Exception {
        inboxRedis = new RedisServer();
        inboxRedis.start();
        hotlistRedis = new RedisServer().withAppendOnly();
        hotlistRedis.start();
        inbox = new JedisPooled("127.0.0.1", inboxRedis.port());
        hotlist = new JedisPooled("127.0.0.1", hotlistRedis.port());
        // Every URL is a 200 page here: the proxy answers them all and counts.
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        web.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        web.start();
        resolver = Resolver.fromEnv(Env.of(Map.of(
                "INBOX_REDIS", "127.0.0.1:" + inboxRedis.port(),
                "HOTLIST_REDIS", "127.0.0.1:" + hotlistRedis.port(),
                "RESOLVER_HTTP_PROXY", "127.0.0.1:" + web.getAddress().getPort(),
                "RESOLVER_CACHE_TTL", "10m",
                "PORT", "0")), Clock.systemUTC()).start();
    }

    @AfterEach
    void stop() {
        resolver.close();
        web.stop(0);
        inbox.close();
        hotlist.close();
        inboxRedis.close();
        hotlistRedis.close();
    }

    private void awaitScore(String finalUrl, double score) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Double.valueOf(score).equals(hotlist.zscore(RedisKeys.HOTLIST, RedisKeys.md5Hex(finalUrl))));
    }

    @Test
    void cacheHitMakesNoHttpRequest() {
        String shortUrl = "http://t.example/cached";
        String finalUrl = "http://news.example/article";
        hotlist.setex(RedisKeys.resolverCache(shortUrl), 600, finalUrl);

        inbox.rpush(RedisKeys.INBOX, shortUrl);
        awaitScore(finalUrl, 1.0);

        assertThat(requests.get()).isZero();
        assertThat(resolver.registry().scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("resolver_cache_hits")).findFirst().orElseThrow()
                .getDataPoints().get(0)).extracting(p -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) p).getValue())
                .isEqualTo(1.0);
    }

    @Test
    void cacheMissIsResolvedOnceThenServedFromTheCache() {
        String url = "http://news.example/direct";
        inbox.rpush(RedisKeys.INBOX, url);
        awaitScore(url, 1.0);
        assertThat(requests.get()).isEqualTo(1);
        assertThat(hotlist.get(RedisKeys.resolverCache(url))).isEqualTo(url);
        assertThat(hotlist.ttl(RedisKeys.resolverCache(url))).isBetween(1L, 600L);

        inbox.rpush(RedisKeys.INBOX, url);
        awaitScore(url, 2.0);
        assertThat(requests.get()).isEqualTo(1);
    }
}
