package io.promfetcher.broker;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.api.Endpoint;
import io.promfetcher.api.Health;
import io.promfetcher.api.ScrapePreferences;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service broker, assembled: the database, the store, the bindings in force and the OSB
 * endpoint, plus the refresh that keeps every gateway sharing the database in step. Each
 * {@code refresh_interval} it reads the change counter (one primary-key read) and reloads the
 * bindings only when the counter moved; a change made through this gateway is loaded at once.
 *
 * <p>The database may be down at start or at any time: the gateway starts and scrapes on with the
 * bindings last loaded, broker calls answer 503, and the next refresh that reaches the database
 * (migrating the schema first if it never could) brings everything back. Health: the "broker"
 * check is ready once the bindings have been loaded, and stays ready through a later database
 * outage, with the outage in its detail: taking every gateway out of rotation would stop every
 * scrape, while the bindings in memory keep them right (README, "Service broker").
 */
public final class ServiceBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceBroker.class);
    /** Broker calls waiting for a database thread; beyond it they answer 503 at once. */
    private static final int QUEUE = 64;

    /** What the broker is configured with (keys broker.*). */
    public record Settings(String user, String password, String databaseUrl, String databaseUser,
                           String databasePassword, Duration databaseTimeout, Duration refreshInterval,
                           String serviceId, String planId) {
        public Settings {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(databaseUrl, "databaseUrl");
            Objects.requireNonNull(databaseUser, "databaseUser");
            Objects.requireNonNull(databasePassword, "databasePassword");
            Objects.requireNonNull(databaseTimeout, "databaseTimeout");
            Objects.requireNonNull(refreshInterval, "refreshInterval");
            Objects.requireNonNull(serviceId, "serviceId");
            Objects.requireNonNull(planId, "planId");
        }
    }

    private final Settings settings;
    private final BrokerDatabase database;
    private final BindingStore store;
    private final BoundApps bound = new BoundApps();
    private final ThreadPoolExecutor requests;
    private final ScheduledExecutorService refresher;
    private final BrokerEndpoint endpoint;
    private final LongSupplier nanoClock;
    private final Counter refreshFailures;

    private volatile boolean migrated;
    private volatile boolean databaseUp;
    private volatile String problem = "not connected yet";
    private volatile long downSinceNanos;
    private volatile long lastRefreshNanos;

    public ServiceBroker(Settings settings, PrometheusRegistry registry) {
        this(settings, registry, System::nanoTime);
    }

    ServiceBroker(Settings settings, PrometheusRegistry registry, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.database = new BrokerDatabase(settings.databaseUrl(), settings.databaseUser(), settings.databasePassword(),
                settings.databaseTimeout());
        this.store = new BindingStore(database);
        // Two threads: the pool has one more connection, kept for the refresher.
        this.requests = new ThreadPoolExecutor(BrokerDatabase.POOL_SIZE - 1, BrokerDatabase.POOL_SIZE - 1,
                0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), new DefaultThreadFactory("promfetcher-broker", true));
        this.refresher = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("promfetcher-broker-refresh", true));
        this.endpoint = new BrokerEndpoint(new Catalog(settings.serviceId(), settings.planId()), store, requests,
                this::ensureMigrated, this::refreshAfterChange, settings.user(), settings.password());

        GaugeWithCallback.builder().name("promfetcher_broker_bindings")
                .help("Service bindings loaded from the broker's database (an app's newest binding is in force).")
                .callback(cb -> cb.call(bound.snapshot().bindings())).register(registry);
        GaugeWithCallback.builder().name("promfetcher_broker_database_up")
                .help("1 when the broker's last database access succeeded, else 0 (scrapes keep the bindings loaded).")
                .callback(cb -> cb.call(databaseUp ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("promfetcher_broker_bindings_age_seconds")
                .help("Seconds since the bindings in memory were last confirmed current against the database.")
                .callback(cb -> cb.call(lastRefreshNanos == 0 ? -1 : (nanoClock.getAsLong() - lastRefreshNanos) / 1e9))
                .register(registry);
        refreshFailures = Counter.builder().name("promfetcher_broker_refresh_failures_total")
                .help("Refreshes of the bindings that could not reach the broker's database.").register(registry);
    }

    /** Loads the bindings now (in the background), then every refresh interval. */
    public void start() {
        long interval = settings.refreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(this::refreshQuietly, 0, interval, TimeUnit.MILLISECONDS);
        LOG.info("service broker on /broker/v2 with {}, refreshed every {} ms", database.description(), interval);
    }

    /** The OSB API, for {@code /broker/}. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** What bound apps said, for the gateway's scrapes and {@code /v1/sd}. */
    public ScrapePreferences preferences() {
        return bound;
    }

    /** The "broker" entry of /health and /ready. */
    public Health.Check health() {
        BoundApps.Snapshot s = bound.snapshot();
        if (!s.loaded()) {
            return Health.Check.notReady("bindings not loaded yet from " + database.description() + ": " + problem);
        }
        String bindings = s.bindings() + " binding(s) of " + s.byApp().size() + " app(s)";
        if (databaseUp) {
            return Health.Check.ready(bindings + " from " + database.description());
        }
        long downSeconds = (nanoClock.getAsLong() - downSinceNanos) / 1_000_000_000L;
        long ageSeconds = (nanoClock.getAsLong() - lastRefreshNanos) / 1_000_000_000L;
        return Health.Check.ready("database unavailable for " + downSeconds + " s (" + problem
                + "): broker calls answer 503; scrapes use the " + bindings + " confirmed " + ageSeconds + " s ago");
    }

    /**
     * Brings the bindings in memory up to date with the database: migrates the schema the first
     * time, then reloads when the change counter moved. Throws when the database cannot be used.
     */
    void refresh() {
        try {
            ensureMigrated();
            long version = store.version();
            if (bound.isBehind(version)) {
                BindingStore.Contents contents = store.contents();
                bound.install(contents, nanoClock.getAsLong());
                LOG.debug("broker: loaded {} binding(s) at change {}", contents.bindings().size(), contents.version());
            }
            lastRefreshNanos = nanoClock.getAsLong();
            if (!databaseUp) {
                LOG.info("broker: database {} available; {} binding(s) in force", database.description(),
                        bound.snapshot().bindings());
            }
            databaseUp = true;
            problem = "";
        } catch (BrokerUnavailableException e) {
            refreshFailures.inc();
            if (databaseUp || !e.getMessage().equals(problem)) {
                LOG.warn("broker: database {} unavailable ({}); scrapes keep the {} binding(s) loaded, broker calls answer 503",
                        database.description(), e.getMessage(), bound.snapshot().bindings());
            }
            if (databaseUp || downSinceNanos == 0) {
                downSinceNanos = nanoClock.getAsLong();
            }
            databaseUp = false;
            problem = e.getMessage();
            throw e;
        }
    }

    /** The schema, created or upgraded once per process, by whichever thread needs it first. */
    private synchronized void ensureMigrated() {
        if (!migrated) {
            database.migrate();
            migrated = true;
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (BrokerUnavailableException e) {
            // logged and counted in refresh(); the next tick tries again
        } catch (RuntimeException e) {
            LOG.error("broker: refresh failed", e);
        }
    }

    /** After a committed change, on the request's thread: the answer leaves with the change in force here. */
    private void refreshAfterChange() {
        refreshQuietly();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        requests.shutdown();
        try {
            if (!requests.awaitTermination(5, TimeUnit.SECONDS)) {
                requests.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        database.close();
    }
}
