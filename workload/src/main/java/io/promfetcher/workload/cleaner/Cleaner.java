package io.promfetcher.workload.cleaner;

import io.promfetcher.workload.announce.Announcing;
import io.promfetcher.workload.announce.RouteAnnouncer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.config.Instance;
import io.promfetcher.workload.http.ServiceHttpServer;
import io.promfetcher.workload.redis.Hotlist;
import io.promfetcher.workload.redis.RedisAddress;
import io.promfetcher.workload.redis.RedisRetry;
import io.promfetcher.workload.redis.WorkloadGauges;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;

/**
 * The cleaner service: every interval, applies the score reductions that are due
 * ({@code url_hotlist_reductions}), removes URLs whose score reaches 0 together with their
 * {@code url:*} text. The ageing mode is chosen by the resolvers when they score (what they record
 * as due); the cleaner applies either kind, in batches, each batch one atomic script, so several
 * cleaners can run at once.
 */
public final class Cleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);

    /** Everything the cleaner reads from the environment. */
    public record Config(Instance instance, RedisAddress hotlist, Duration interval, int batch, Announcing announcing) {
        public static Config fromEnv(Env env) {
            return new Config(
                    Instance.from("cleaner", env, 8083),
                    RedisAddress.from(env, "HOTLIST_REDIS", "127.0.0.1:6380"),
                    env.duration("CLEANER_INTERVAL", Duration.ofSeconds(10), Duration.ofMillis(10), Duration.ofHours(1)),
                    env.integer("CLEANER_BATCH", 1000, 1, 1_000_000),
                    Announcing.fromEnv(env));
        }
    }

    private final Config config;
    private final Clock clock;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final JedisPooled redis;
    private final Hotlist hotlist;
    private final ServiceHttpServer http;
    private final ScheduledExecutorService timer;
    private final Counter runs;
    private final Counter reductions;
    private final Counter removed;
    private final Counter redisErrors;
    private final Histogram runDuration;
    private final Gauge lastRun;
    private Optional<RouteAnnouncer> announcer = Optional.empty();

    public Cleaner(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.redis = config.hotlist().connect();
        this.hotlist = new Hotlist(redis);
        runs = Counter.builder().name("cleaner_runs_total").help("Ageing passes completed").register(registry);
        reductions = Counter.builder()
                .name("cleaner_reductions_total")
                .help("Score reductions applied (mentions aged out)")
                .register(registry);
        removed = Counter.builder()
                .name("cleaner_removed_urls_total")
                .help("URLs removed from the hotlist (score reached 0), with their url:* text")
                .register(registry);
        redisErrors = RedisRetry.errorCounter(registry);
        runDuration = Histogram.builder()
                .name("cleaner_run_duration_seconds")
                .help("Time per ageing pass")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
                .register(registry);
        lastRun = Gauge.builder()
                .name("cleaner_last_run_timestamp_seconds")
                .help("When the last ageing pass completed (clock of the cleaner)")
                .unit(Unit.SECONDS)
                .register(registry);
        WorkloadGauges.hotlistSize(registry, hotlist);
        this.http = new ServiceHttpServer(config.instance().port(), 2, registry, this::health);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "cleaner"));
    }

    public static Cleaner fromEnv(Env env, Clock clock) {
        return new Cleaner(Config.fromEnv(env), clock);
    }

    public Cleaner start() {
        http.start();
        timer.scheduleWithFixedDelay(this::tick, 0, config.interval().toMillis(), TimeUnit.MILLISECONDS);
        announcer = config.announcing().start(config.instance(), http.port());
        LOG.info("cleaner listening on {}, hotlist {}, every {}", http.port(), config.hotlist(), config.interval());
        return this;
    }

    public int port() {
        return http.port();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** One ageing pass at the clock's current time: every due reduction, batch by batch. */
    public Hotlist.Ageing runOnce() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        long reduced = 0;
        long gone = 0;
        while (true) {
            Hotlist.Ageing batch = hotlist.age(now, config.batch());
            reduced += batch.reductions();
            gone += batch.removedUrls();
            reductions.inc(batch.reductions());
            removed.inc(batch.removedUrls());
            if (batch.reductions() < config.batch()) {
                break;
            }
        }
        runs.inc();
        lastRun.set(now.toEpochMilli() / 1000.0);
        runDuration.observe((System.nanoTime() - started) / 1e9);
        return new Hotlist.Ageing(reduced, gone);
    }

    private void tick() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            if (RedisRetry.isTransient(e)) {
                redisErrors.labelValues("hotlist").inc();
                LOG.warn("hotlist Redis unavailable ({}); next pass in {}", e.getMessage(), config.interval());
            } else {
                LOG.error("ageing pass failed", e);
            }
        }
    }

    private List<String> health() {
        try {
            hotlist.ping();
            return List.of();
        } catch (RuntimeException e) {
            return List.of("hotlist Redis " + config.hotlist() + " unreachable: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        announcer.ifPresent(RouteAnnouncer::close);
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
        redis.close();
    }
}
