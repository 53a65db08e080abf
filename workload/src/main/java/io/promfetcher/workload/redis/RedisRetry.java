package io.promfetcher.workload.redis;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Retries a Redis call while the server is unreachable (restart, network blip), with a capped
 * back-off, so services ride out a Redis restart instead of dying. Only transient failures are
 * retried ({@link #isTransient}): any other data error is a bug and is thrown. Callers make retried calls idempotent.
 */
public final class RedisRetry {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRetry.class);

    private final String redisName;
    private final Counter errors;
    private final BooleanSupplier giveUp;

    /**
     * @param redisName "inbox" or "hotlist", the {@code redis} label of the error counter
     * @param giveUp    true when the service is stopping and should stop retrying
     */
    public RedisRetry(String redisName, Counter errors, BooleanSupplier giveUp) {
        this.redisName = redisName;
        this.errors = errors;
        this.giveUp = giveUp;
    }

    /** {@code redis_connection_errors_total{redis}}: registered once per service registry. */
    public static Counter errorCounter(PrometheusRegistry registry) {
        return Counter.builder()
                .name("redis_connection_errors_total")
                .help("Redis calls that failed because the server was unreachable (they are retried)")
                .labelNames("redis")
                .register(registry);
    }

    /** Runs the call until it succeeds; throws {@link Stopped} when the service stops meanwhile. */
    public <T> T call(String what, Supplier<T> call) {
        long backoffMillis = 50;
        while (true) {
            try {
                return call.get();
            } catch (JedisConnectionException | JedisDataException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                errors.labelValues(redisName).inc();
                if (giveUp.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                    throw new Stopped(redisName + " unreachable while stopping: " + what, e);
                }
                LOG.warn("{} Redis unreachable during {} ({}); retrying in {} ms",
                        redisName, what, e.getMessage(), backoffMillis);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new Stopped("interrupted during " + what, e);
                }
                backoffMillis = Math.min(1000, backoffMillis * 2);
            }
        }
    }

    /**
     * True for failures that go away by themselves: the server unreachable, or up but not ready
     * (still loading its AOF after a restart, a replica without its master, a busy script).
     */
    public static boolean isTransient(RuntimeException e) {
        if (e instanceof JedisConnectionException) {
            return true;
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        return e instanceof JedisDataException && (message.startsWith("LOADING") || message.startsWith("BUSY")
                || message.startsWith("MASTERDOWN") || message.startsWith("TRYAGAIN"));
    }

    public void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return Boolean.TRUE;
        });
    }

    /** The service stopped while Redis was unreachable: the call did not (knowingly) happen. */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
