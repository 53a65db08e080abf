package io.promfetcher.workload.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

class RedisRetryTest {
    @Test
    void unreachableAndNotReadyAreTransientButDataErrorsAreNot() {
        assertThat(RedisRetry.isTransient(new JedisConnectionException("Unexpected end of stream."))).isTrue();
        assertThat(RedisRetry.isTransient(new JedisDataException("LOADING Redis is loading the dataset in memory"))).isTrue();
        assertThat(RedisRetry.isTransient(new JedisDataException("BUSY Redis is busy running a script"))).isTrue();
        assertThat(RedisRetry.isTransient(new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind of value"))).isFalse();
        assertThat(RedisRetry.isTransient(new IllegalStateException("LOADING"))).isFalse();
    }

    @Test
    void transientFailuresAreRetriedUntilTheCallSucceedsAndCounted() {
        PrometheusRegistry registry = new PrometheusRegistry();
        RedisRetry retry = new RedisRetry("hotlist", RedisRetry.errorCounter(registry), () -> false);
        AtomicInteger attempts = new AtomicInteger();
        String result = retry.call("test", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new JedisConnectionException("refused");
            }
            if (attempts.get() == 2) {
                throw new JedisDataException("LOADING Redis is loading the dataset in memory");
            }
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void dataErrorIsThrownAtOnce() {
        RedisRetry retry = new RedisRetry("hotlist", RedisRetry.errorCounter(new PrometheusRegistry()), () -> false);
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.call("test", () -> {
            attempts.incrementAndGet();
            throw new JedisDataException("WRONGTYPE");
        })).isInstanceOf(JedisDataException.class);
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void stoppingServiceGivesUpInsteadOfRetrying() {
        RedisRetry retry = new RedisRetry("inbox", RedisRetry.errorCounter(new PrometheusRegistry()), () -> true);
        assertThatThrownBy(() -> retry.call("test", () -> {
            throw new JedisConnectionException("refused");
        })).isInstanceOf(RedisRetry.Stopped.class);
    }
}
