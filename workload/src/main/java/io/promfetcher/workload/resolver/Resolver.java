package io.promfetcher.workload.resolver;

import io.promfetcher.workload.announce.Announcing;
import io.promfetcher.workload.announce.RouteAnnouncer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.config.Instance;
import io.promfetcher.workload.http.ServiceHttpServer;
import io.promfetcher.workload.redis.AgeingMode;
import io.promfetcher.workload.redis.Hotlist;
import io.promfetcher.workload.redis.Inbox;
import io.promfetcher.workload.redis.RedisAddress;
import io.promfetcher.workload.redis.RedisKeys;
import io.promfetcher.workload.redis.RedisRetry;
import io.promfetcher.workload.redis.WorkloadGauges;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;

/**
 * The resolver service: takes URLs from the inbox (blocking), resolves them (cache first, then
 * redirects by hand), and scores the final URL in the hotlist. Exactly once per mention, even
 * across crashes and Redis restarts: the URL in hand lives in this instance's in-flight list,
 * tagged with a token, and scoring records that token atomically; a restarted instance with the
 * same index finishes or puts back what it finds there. On close (SIGTERM) the URL in hand is
 * finished within the grace period, else put back at the head of the inbox.
 */
public final class Resolver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Resolver.class);
    private static final Pattern TAGGED = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} .*", Pattern.DOTALL);

    /** Everything the resolver reads from the environment. */
    public record Config(Instance instance, RedisAddress inbox, RedisAddress hotlist,
            Optional<InetSocketAddress> proxy, Duration connectTimeout, Duration readTimeout, int maxHops,
            Duration cacheTtl, Duration hotlistTtl, AgeingMode ageing, Duration shutdownGrace,
            Announcing announcing) {

        public static Config fromEnv(Env env) {
            return new Config(
                    Instance.from("resolver", env, 8082),
                    RedisAddress.from(env, "INBOX_REDIS", "127.0.0.1:6379"),
                    RedisAddress.from(env, "HOTLIST_REDIS", "127.0.0.1:6380"),
                    proxy(env),
                    env.duration("RESOLVER_CONNECT_TIMEOUT", Duration.ofSeconds(3), Duration.ofMillis(10), Duration.ofMinutes(5)),
                    env.duration("RESOLVER_READ_TIMEOUT", Duration.ofSeconds(3), Duration.ofMillis(10), Duration.ofMinutes(5)),
                    env.integer("RESOLVER_MAX_HOPS", 30, 0, 100),
                    env.duration("RESOLVER_CACHE_TTL", Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofDays(30)),
                    env.duration("HOTLIST_TTL", Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofDays(365)),
                    env.choice("HOTLIST_AGEING", AgeingMode.SLIDING, AgeingMode.class),
                    env.duration("RESOLVER_SHUTDOWN_GRACE", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(5)),
                    Announcing.fromEnv(env));
        }

        private static Optional<InetSocketAddress> proxy(Env env) {
            Optional<String> raw = env.optional("RESOLVER_HTTP_PROXY");
            if (raw.isEmpty()) {
                return Optional.empty();
            }
            String value = raw.get().replaceFirst("^http://", "").replaceFirst("/$", "");
            int colon = value.lastIndexOf(':');
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                if (colon < 1 || port < 1 || port > 65535) {
                    throw Env.invalid("RESOLVER_HTTP_PROXY", raw.get(), "host:port");
                }
                return Optional.of(new InetSocketAddress(value.substring(0, colon), port));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw Env.invalid("RESOLVER_HTTP_PROXY", raw.get(), "host:port");
            }
        }
    }

    private final Config config;
    private final Clock clock;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ResolverMetrics metrics = new ResolverMetrics(registry);
    private final JedisPooled inboxRedis;
    private final JedisPooled hotlistRedis;
    private final Inbox inbox;
    private final Hotlist hotlist;
    private final RedisRetry inboxRetry;
    private final RedisRetry hotlistRetry;
    private final RedirectFollower follower;
    private final ServiceHttpServer http;
    private final Thread worker;
    private volatile boolean stopping;
    private volatile boolean abandoning;
    private Optional<RouteAnnouncer> announcer = Optional.empty();

    public Resolver(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.inboxRedis = config.inbox().connect();
        this.hotlistRedis = config.hotlist().connect();
        this.inbox = new Inbox(inboxRedis);
        this.hotlist = new Hotlist(hotlistRedis);
        Counter redisErrors = RedisRetry.errorCounter(registry);
        // Retries give up only when the grace period is over: until then the URL in hand is finished.
        this.inboxRetry = new RedisRetry("inbox", redisErrors, () -> abandoning);
        this.hotlistRetry = new RedisRetry("hotlist", redisErrors, () -> abandoning);
        this.follower = new RedirectFollower(
                RedirectFollower.client(config.connectTimeout(), config.proxy().map(ProxySelector::of)),
                config.readTimeout(), config.maxHops());
        WorkloadGauges.inboxLength(registry, inbox);
        this.http = new ServiceHttpServer(config.instance().port(), 2, registry, this::health);
        this.worker = new Thread(this::work, "resolver-" + config.instance().index());
    }

    public static Resolver fromEnv(Env env, Clock clock) {
        return new Resolver(Config.fromEnv(env), clock);
    }

    public Resolver start() {
        http.start();
        worker.start();
        announcer = config.announcing().start(config.instance(), http.port());
        LOG.info("resolver {} listening on {}, inbox {}, hotlist {}", config.instance().index(), http.port(),
                config.inbox(), config.hotlist());
        return this;
    }

    public int port() {
        return http.port();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    private List<String> health() {
        List<String> problems = new ArrayList<>();
        try {
            inbox.ping();
        } catch (RuntimeException e) {
            problems.add("inbox Redis " + config.inbox() + " unreachable: " + e.getMessage());
        }
        try {
            hotlist.ping();
        } catch (RuntimeException e) {
            problems.add("hotlist Redis " + config.hotlist() + " unreachable: " + e.getMessage());
        }
        return problems;
    }

    private void work() {
        int index = config.instance().index();
        boolean recovered = false;
        while (!stopping) {
            try {
                if (!recovered) {
                    recoverInFlight();
                    recovered = true;
                }
                Optional<String> taken = inbox.take(index, 1.0);
                if (taken.isPresent()) {
                    handle(taken.get());
                }
            } catch (RedisRetry.Stopped | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The take may have moved a URL before its reply was lost, and a bug must not kill the
                // worker silently: either way what was in hand is in the in-flight list; look again.
                recovered = false;
                if (RedisRetry.isTransient(e)) {
                    LOG.warn("inbox Redis unavailable ({}); retrying", e.getMessage());
                    pause(200);
                } else {
                    LOG.error("unexpected failure; recovering the in-flight list", e);
                    pause(1000);
                }
            }
        }
    }

    /** Resolves and scores one taken URL, then clears it from the in-flight list. */
    private void handle(String url) throws InterruptedException {
        int index = config.instance().index();
        String token = UUID.randomUUID().toString();
        String entry = token + " " + url;
        inboxRetry.run("tag in-flight URL", () -> inbox.tag(index, entry));
        try {
            process(url, token);
        } catch (InterruptedException | RedisRetry.Stopped e) {
            // The grace period is over: give the URL back so another resolver takes it.
            Thread.interrupted();
            putBack(entry, url);
            throw new InterruptedException("stopped with a URL in hand; put back");
        }
        inboxRetry.run("clear in-flight URL", () -> inbox.done(index, entry));
    }

    private void process(String url, String token) throws InterruptedException {
        long started = System.nanoTime();
        Optional<String> cached = hotlistRetry.call("cache look-up", () -> hotlist.cachedFinalUrl(url));
        Optional<String> scored;
        if (cached.isPresent()) {
            metrics.cacheHits.inc();
            metrics.outcomes.labelValues("cached", "none").inc();
            scored = cached;
        } else {
            metrics.cacheMisses.inc();
            Resolution resolution = follower.resolve(url);
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            if (resolution instanceof Resolution.Resolved resolved) {
                hotlistRetry.run("cache store", () ->
                        hotlist.cacheFinalUrl(url, resolved.finalUrl(), config.cacheTtl().toSeconds()));
                metrics.outcomes.labelValues("resolved", "none").inc();
                metrics.hops.observe(resolved.hops());
                scored = Optional.of(resolved.finalUrl());
            } else if (resolution instanceof Resolution.Fallback fallback) {
                metrics.outcomes.labelValues("fallback", fallback.reason()).inc();
                scored = Optional.of(fallback.url());
            } else {
                metrics.outcomes.labelValues("dropped", ((Resolution.Dropped) resolution).reason()).inc();
                scored = Optional.empty();
            }
        }
        if (scored.isPresent()) {
            String finalUrl = scored.get();
            hotlistRetry.call("score", () -> hotlist.score(finalUrl, config.instance().index(), token,
                    config.ageing(), clock.instant().plus(config.hotlistTtl())));
            metrics.resolved.inc();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        metrics.lastDuration.set(seconds);
        metrics.duration.observe(seconds);
    }

    /**
     * Whatever this instance index left in its in-flight list (a crash, a lost reply): a mention
     * already scored is cleared, anything else goes back to the head of the inbox.
     */
    private void recoverInFlight() {
        int index = config.instance().index();
        for (String entry : inboxRetry.call("read in-flight list", () -> inbox.inFlight(index))) {
            boolean tagged = TAGGED.matcher(entry).matches(); // a UUID token, a space, then the URL
            int space = tagged ? 36 : -1;
            String url = tagged ? entry.substring(space + 1) : entry;
            if (tagged && hotlistRetry.call("check last score", () -> hotlist.alreadyScored(index, entry.substring(0, space)))) {
                inboxRetry.run("clear in-flight URL", () -> inbox.done(index, entry));
                LOG.info("in-flight URL {} had been scored before the restart; cleared", url);
            } else {
                inboxRetry.run("put back in-flight URL", () -> inbox.putBack(index, entry, url));
                LOG.info("in-flight URL {} put back in the inbox", url);
            }
        }
    }

    private void putBack(String entry, String url) {
        try {
            // Bounded: past the grace period, a URL that cannot be put back stays in the in-flight
            // list, and the next start of this instance index puts it back.
            inbox.putBack(config.instance().index(), entry, url);
            LOG.info("stopping: URL in hand put back in the inbox: {}", url);
        } catch (RuntimeException e) {
            LOG.warn("stopping: could not put back {} ({}); it stays in {} for the next start", url,
                    e.getMessage(), RedisKeys.inFlight(config.instance().index()));
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops taking URLs, finishes (or puts back) the one in hand, unregisters, closes. */
    @Override
    public void close() {
        announcer.ifPresent(RouteAnnouncer::close);
        stopping = true;
        try {
            worker.join(Math.max(1, config.shutdownGrace().toMillis()));
            if (worker.isAlive()) {
                abandoning = true;
                worker.interrupt();
                worker.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
        inboxRedis.close();
        hotlistRedis.close();
    }
}
