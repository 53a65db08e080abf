package io.promfetcher.workload.tracker;

import io.promfetcher.workload.announce.Announcing;
import io.promfetcher.workload.announce.RouteAnnouncer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.config.Instance;
import io.promfetcher.workload.http.ServiceHttpServer;
import io.promfetcher.workload.redis.Inbox;
import io.promfetcher.workload.redis.RedisAddress;
import io.promfetcher.workload.redis.RedisRetry;
import io.promfetcher.workload.redis.WorkloadGauges;
import io.promfetcher.workload.source.Post;
import io.promfetcher.workload.source.PostSource;
import io.promfetcher.workload.source.Sources;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;

/**
 * The tracker service: reads posts from its source and pushes each post's links to the inbox, in
 * order, one command per post. While the inbox Redis is down it waits and retries the same post,
 * so nothing is skipped (a push whose reply was lost may be repeated: the inbox is at-least-once).
 */
public final class Tracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tracker.class);

    /** Everything the tracker reads from the environment. */
    public record Config(Instance instance, RedisAddress inbox, PostSource source, Announcing announcing) {
        public static Config fromEnv(Env env) {
            return new Config(
                    Instance.from("tracker", env, 8081),
                    RedisAddress.from(env, "INBOX_REDIS", "127.0.0.1:6379"),
                    Sources.fromEnv(env),
                    Announcing.fromEnv(env));
        }
    }

    private final Config config;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final JedisPooled redis;
    private final Inbox inbox;
    private final RedisRetry retry;
    private final ServiceHttpServer http;
    private final Thread worker;
    private final CountDownLatch sourceDone = new CountDownLatch(1);
    private final Counter posts;
    private final Counter urls;
    private final Gauge urlsInLastPost;
    private final Gauge lastPostDuration;
    private final Histogram postDuration;
    private volatile boolean stopping;
    private Optional<RouteAnnouncer> announcer = Optional.empty();

    public Tracker(Config config) {
        this.config = config;
        this.redis = config.inbox().connect();
        this.inbox = new Inbox(redis);
        this.retry = new RedisRetry("inbox", RedisRetry.errorCounter(registry), () -> stopping);
        // The original series names say "tweet": kept so the original dashboard queries still work.
        posts = Counter.builder()
                .name("tracker_processed_tweets_total")
                .help("Posts read from the source and pushed to the inbox")
                .register(registry);
        urls = Counter.builder()
                .name("tracker_processed_urls_total")
                .help("Links pushed to the inbox")
                .register(registry);
        urlsInLastPost = Gauge.builder()
                .name("tracker_processed_urls_in_last_tweet_count")
                .help("Links in the last post processed")
                .register(registry);
        lastPostDuration = Gauge.builder()
                .name("tracker_processed_last_tweet_duration_seconds")
                .help("Time spent pushing the last post's links")
                .unit(Unit.SECONDS)
                .register(registry);
        postDuration = Histogram.builder()
                .name("tracker_post_duration_seconds")
                .help("Time spent pushing one post's links")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
                .register(registry);
        CounterWithCallback.builder()
                .name("tracker_source_rejected_total")
                .help("Input the source could not use (bad replay lines, malformed live messages)")
                .callback(callback -> callback.call(config.source().rejected()))
                .register(registry);
        WorkloadGauges.inboxLength(registry, inbox);
        this.http = new ServiceHttpServer(config.instance().port(), 2, registry, this::health);
        this.worker = new Thread(this::work, "tracker");
    }

    public static Tracker fromEnv(Env env) {
        return new Tracker(Config.fromEnv(env));
    }

    public Tracker start() {
        http.start();
        worker.start();
        announcer = config.announcing().start(config.instance(), http.port());
        LOG.info("tracker listening on {}, inbox {}", http.port(), config.inbox());
        return this;
    }

    public int port() {
        return http.port();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Waits until a finite source (synthetic with a post count, replay) has been read to the end. */
    public boolean awaitSourceDone(long timeout, TimeUnit unit) throws InterruptedException {
        return sourceDone.await(timeout, unit);
    }

    private List<String> health() {
        try {
            inbox.ping();
            return List.of();
        } catch (RuntimeException e) {
            return List.of("inbox Redis " + config.inbox() + " unreachable: " + e.getMessage());
        }
    }

    private void work() {
        try {
            config.source().forEach(this::push);
            LOG.info("source exhausted after {} posts", (long) posts.get());
        } catch (InterruptedException | RedisRetry.Stopped e) {
            LOG.info("tracker stopped");
        } catch (RuntimeException e) {
            LOG.error("source failed: {}", e.getMessage(), e);
        } finally {
            sourceDone.countDown();
        }
    }

    private void push(Post post) {
        long started = System.nanoTime();
        retry.run("push links", () -> inbox.push(post.links()));
        double seconds = (System.nanoTime() - started) / 1e9;
        posts.inc();
        urls.inc(post.links().size());
        urlsInLastPost.set(post.links().size());
        lastPostDuration.set(seconds);
        postDuration.observe(seconds);
    }

    @Override
    public void close() {
        announcer.ifPresent(RouteAnnouncer::close);
        stopping = true;
        config.source().close();
        worker.interrupt();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
        redis.close();
    }
}
