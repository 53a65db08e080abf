package io.promfetcher.workload.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.testkit.RedisServer;
import io.promfetcher.workload.MutableClock;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.redis.AgeingMode;
import io.promfetcher.workload.redis.Hotlist;
import io.promfetcher.workload.redis.RedisKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** Ageing in both modes on a real hotlist Redis, with the cleaner's and resolver's clock moved by hand. */
class HotlistAgeingIT {
    private static final Duration TTL = Duration.ofHours(1);
    private static final String A = "http://site1.news.example/a";
    private static final String B = "http://site2.news.example/b";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T12:00:00Z"));
    private RedisServer redis;
    private JedisPooled client;
    private Hotlist hotlist;
    private final List<Cleaner> cleaners = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        redis = new RedisServer().withAppendOnly();
        redis.start();
        client = new JedisPooled("127.0.0.1", redis.port());
        hotlist = new Hotlist(client);
    }

    @AfterEach
    void stopRedis() {
        cleaners.forEach(Cleaner::close);
        client.close();
        redis.close();
    }

    private Cleaner cleaner(int batch) {
        Cleaner cleaner = Cleaner.fromEnv(Env.of(Map.of(
                "HOTLIST_REDIS", "127.0.0.1:" + redis.port(), "PORT", "0", "CLEANER_BATCH", Integer.toString(batch))), clock);
        cleaners.add(cleaner);
        return cleaner;
    }

    private void mention(String url, AgeingMode mode) {
        hotlist.score(url, 0, UUID.randomUUID().toString(), mode, clock.instant().plus(TTL));
    }

    private Double score(String url) {
        return client.zscore(RedisKeys.HOTLIST, RedisKeys.md5Hex(url));
    }

    @Test
    void slidingWindowCountsEachMentionForOneTtl() {
        Cleaner cleaner = cleaner(1000);
        mention(A, AgeingMode.SLIDING);
        mention(B, AgeingMode.SLIDING);
        clock.advance(Duration.ofMinutes(10));
        mention(A, AgeingMode.SLIDING);
        clock.advance(Duration.ofMinutes(10));
        mention(A, AgeingMode.SLIDING);
        assertThat(score(A)).isEqualTo(3.0);

        clock.advance(Duration.ofMinutes(40)); // t0 + 1 h: the first mentions of A and B are out
        assertThat(cleaner.runOnce()).isEqualTo(new Hotlist.Ageing(2, 1));
        assertThat(score(A)).isEqualTo(2.0);
        assertThat(score(B)).isNull();
        assertThat(client.exists(RedisKeys.urlText(RedisKeys.md5Hex(B)))).isFalse();

        clock.advance(Duration.ofMinutes(20)); // t0 + 1 h 20: every mention of A is out
        assertThat(cleaner.runOnce()).isEqualTo(new Hotlist.Ageing(2, 1));
        assertThat(client.zcard(RedisKeys.HOTLIST)).isZero();
        assertThat(client.zcard(RedisKeys.REDUCTIONS)).isZero();
        assertThat(client.exists(RedisKeys.urlText(RedisKeys.md5Hex(A)))).isFalse();
    }

    @Test
    void nothingAgesBeforeItsTime() {
        Cleaner cleaner = cleaner(1000);
        mention(A, AgeingMode.SLIDING);
        clock.advance(TTL.minusSeconds(1));
        assertThat(cleaner.runOnce()).isEqualTo(new Hotlist.Ageing(0, 0));
        assertThat(score(A)).isEqualTo(1.0);
    }

    @Test
    void originalModeKeepsOneReductionPerUrlAndLeavesNMinusOne() {
        Cleaner cleaner = cleaner(1000);
        mention(A, AgeingMode.LAST_MENTION);
        mention(B, AgeingMode.LAST_MENTION);
        clock.advance(Duration.ofMinutes(10));
        mention(A, AgeingMode.LAST_MENTION);
        clock.advance(Duration.ofMinutes(10));
        mention(A, AgeingMode.LAST_MENTION);
        assertThat(client.zcard(RedisKeys.REDUCTIONS)).isEqualTo(2);

        clock.advance(Duration.ofHours(1)); // one hour after A's last mention
        assertThat(cleaner.runOnce()).isEqualTo(new Hotlist.Ageing(2, 1));
        assertThat(score(A)).isEqualTo(2.0);
        assertThat(score(B)).isNull();

        clock.advance(Duration.ofDays(10)); // and A stays at N-1 for good: the original's flaw, kept behind the flag
        assertThat(cleaner.runOnce()).isEqualTo(new Hotlist.Ageing(0, 0));
        assertThat(score(A)).isEqualTo(2.0);
    }

    @Test
    void severalCleanersAtOnceApplyEachReductionOnce() throws Exception {
        int urls = 50;
        int mentionsEach = 40;
        for (int m = 0; m < mentionsEach; m++) {
            for (int u = 0; u < urls; u++) {
                mention("http://site.example/" + u, AgeingMode.SLIDING);
            }
        }
        clock.advance(TTL);
        List<Cleaner> racing = List.of(cleaner(7), cleaner(11), cleaner(13));
        ExecutorService pool = Executors.newFixedThreadPool(racing.size());
        try {
            List<Future<Hotlist.Ageing>> results = new ArrayList<>();
            for (Cleaner cleaner : racing) {
                results.add(pool.submit(cleaner::runOnce));
            }
            long reductions = 0;
            long removed = 0;
            for (Future<Hotlist.Ageing> result : results) {
                reductions += result.get().reductions();
                removed += result.get().removedUrls();
            }
            assertThat(reductions).isEqualTo((long) urls * mentionsEach);
            assertThat(removed).isEqualTo(urls);
            assertThat(client.zcard(RedisKeys.HOTLIST)).isZero();
            assertThat(client.keys("url:*")).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameMentionScoredTwiceCountsOnce() {
        String token = UUID.randomUUID().toString();
        assertThat(hotlist.score(A, 3, token, AgeingMode.SLIDING, clock.instant().plus(TTL))).isTrue();
        assertThat(hotlist.score(A, 3, token, AgeingMode.SLIDING, clock.instant().plus(TTL))).isFalse();
        assertThat(score(A)).isEqualTo(1.0);
        assertThat(hotlist.alreadyScored(3, token)).isTrue();
        assertThat(hotlist.alreadyScored(4, token)).isFalse();
    }
}
