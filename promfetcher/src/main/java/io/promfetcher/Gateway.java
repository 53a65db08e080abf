package io.promfetcher;

import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.api.AppMetricsEndpoint;
import io.promfetcher.api.CallerAuthorization;
import io.promfetcher.api.ContainerMetrics;
import io.promfetcher.api.Endpoint;
import io.promfetcher.api.Health;
import io.promfetcher.api.HttpServer;
import io.promfetcher.api.MergeMetrics;
import io.promfetcher.api.MetricsEndpoint;
import io.promfetcher.api.Protected;
import io.promfetcher.api.Router;
import io.promfetcher.api.RoutesEndpoint;
import io.promfetcher.api.ScrapePreferences;
import io.promfetcher.api.ServiceDiscoveryEndpoint;
import io.promfetcher.broker.ServiceBroker;
import io.promfetcher.cf.AppMetadata;
import io.promfetcher.cf.CfSettings;
import io.promfetcher.cf.CloudController;
import io.promfetcher.cf.ContainerStats;
import io.promfetcher.cf.TokenAuthorization;
import io.promfetcher.cf.UaaTokenKeys;
import io.promfetcher.config.ConfigLoader;
import io.promfetcher.config.GatewayConfig;
import io.promfetcher.config.Keys;
import io.promfetcher.netty.Transport;
import io.promfetcher.routes.InternalRoutes;
import io.promfetcher.routes.NatsAnnouncements;
import io.promfetcher.routes.NatsSettings;
import io.promfetcher.routes.RecentlyRemoved;
import io.promfetcher.routes.RouteSource;
import io.promfetcher.routes.RouteTable;
import io.promfetcher.routes.RoutesAccess;
import io.promfetcher.routes.RoutesSettings;
import io.promfetcher.routes.SourceHealth;
import io.promfetcher.scrape.HeaderPolicy;
import io.promfetcher.scrape.MemoryBudget;
import io.promfetcher.scrape.OwnAddresses;
import io.promfetcher.scrape.ScrapeClient;
import io.promfetcher.scrape.ScrapeSettings;
import io.promfetcher.status.ExplainEndpoint;
import io.promfetcher.status.Explainer;
import io.promfetcher.status.LastScrapes;
import io.promfetcher.status.StatusPage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the stages together and runs them: configuration in, listeners up, and on a signal the
 * graceful shutdown (unhealthy, stop accepting, let in-flight requests finish, close).
 */
public final class Gateway {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Health health = new Health();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Transport transport = Transport.best();
    private final EventLoopGroup eventLoops;
    private final HttpServer server;
    private final RouteTable table;
    /** Everything that feeds the table and what the gateway knows of apps; started in order, closed in reverse. */
    private final List<RouteSource> sources;
    private final ScrapeClient scrapeClient;
    /** The Cloud Foundry API (issue 11), when {@code cf.api_url} is set. */
    private final Optional<CloudController> cloudController;
    private final Optional<UaaTokenKeys> adminTokens;
    /** The service broker, when enabled: bindings say where apps' metrics are (README, "Service broker"). */
    private final Optional<ServiceBroker> broker;
    private final ExecutorService mergers;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long startedAt = System.nanoTime();
    private final java.util.concurrent.atomic.AtomicInteger exitCode = new java.util.concurrent.atomic.AtomicInteger();

    private Gateway(GatewayConfig config, Consumer<Router> extraEndpoints) {
        this.config = config;
        JvmMetrics.builder().register(registry);
        Info.builder().name("promfetcher_build_info").help("The running promfetcher's version.")
                .labelNames("version", "transport").register(registry)
                .addLabelValues(Version.current(), transport.name());

        RoutesSettings routesSettings = routesSettings(config);
        // Misses answer "warming up" (503) rather than "unknown" (404) until every source is ready.
        table = new RouteTable(System::nanoTime, routesSettings.staleThreshold(), () -> !sourcesReady(),
                new RouteTable.Limits(config.get(Keys.ROUTES_MAX_URIS_PER_INSTANCE), config.get(Keys.ROUTES_MAX_INSTANCES_PER_APP),
                        RouteTable.Limits.maxEndpointsFor(config.get(Keys.ROUTES_MAX_INSTANCES))));
        NatsAnnouncements nats = new NatsAnnouncements(table, routesSettings, natsSettings(config), registry);

        // Cloud Foundry API (issue 11): app metadata beside NATS, the caller's token checked in auth.mode cf.
        cloudController = cfSettings(config).map(cf -> new CloudController(cf, registry));
        Optional<AppMetadata> metadata = cloudController.map(cc -> new AppMetadata(cc, config.get(Keys.CF_METADATA_REFRESH), registry));
        boolean cfAuth = config.get(Keys.AUTH_MODE).equals("cf");
        CallerAuthorization callers = cfAuth
                ? new TokenAuthorization(cloudController.orElseThrow(), config.get(Keys.AUTH_CACHE_TTL), Clock.systemUTC(), registry)
                : CallerAuthorization.OPEN;
        adminTokens = cfAuth ? Optional.of(new UaaTokenKeys(cloudController.orElseThrow(), config.get(Keys.CF_METADATA_REFRESH),
                Clock.systemUTC())) : Optional.empty();
        HeaderPolicy headerPolicy = cfAuth
                ? HeaderPolicy.withAppAuthorization(ConfigLoader.forwardedHeaders(config), config.get(Keys.AUTH_APP_AUTHORIZATION_HEADER))
                : new HeaderPolicy(ConfigLoader.forwardedHeaders(config));

        List<RouteSource> all = new java.util.ArrayList<>(List.of(nats));
        metadata.ifPresent(all::add);
        sources = List.copyOf(all);

        // What an operator looks at: what left the table, apps on internal routes only, each app's last scrape.
        Clock clock = Clock.systemUTC();
        RecentlyRemoved removed = new RecentlyRemoved(clock);
        table.onRemoval(removed);
        InternalRoutes internalRoutes = new InternalRoutes(System::nanoTime, routesSettings.staleThreshold());
        boolean followInternalRoutes = config.get(Keys.ROUTES_SUBSCRIBE_INTERNAL_ROUTES);
        if (followInternalRoutes) {
            nats.followInternalRoutes(internalRoutes);
        }
        LastScrapes lastScrapes = new LastScrapes(clock);
        // One access rule for /routes, the status page and the explanations.
        RoutesAccess operatorAccess = new RoutesAccess(routesSettings.endpoint(),
                adminTokens.map(keys -> (RoutesAccess.AdminTokens) keys));
        for (RouteSource source : sources) {
            health.register(source.name(), () -> {
                SourceHealth h = source.health();
                return new Health.Check(h.ready(), h.detail());
            });
        }

        eventLoops = transport.newEventLoopGroup(0, "promfetcher-io");
        ScrapeSettings scrapeSettings = scrapeSettings(config);
        // One budget for instance bodies and merged output: the scrape hands each body's share to the merge.
        MemoryBudget memory = new MemoryBudget(scrapeSettings.maxBufferedBytes());
        OwnAddresses own = OwnAddresses.of(config.get(Keys.LISTEN_ADDRESS), List.of(config.get(Keys.PORT), config.get(Keys.HEALTH_PORT)));
        scrapeClient = new ScrapeClient(scrapeSettings, headerPolicy, memory, own, eventLoops, transport, registry);
        int cores = Runtime.getRuntime().availableProcessors();
        mergers = Executors.newFixedThreadPool(cores, new io.netty.util.concurrent.DefaultThreadFactory("promfetcher-merge", true));
        broker = config.get(Keys.BROKER_ENABLED) ? Optional.of(new ServiceBroker(brokerSettings(config), registry)) : Optional.empty();
        broker.ifPresent(b -> health.register("broker", b::health));
        // What apps say about being scraped, the first source that says something winning (README,
        // "What apps say about being scraped"): service bindings, then annotations.
        List<ScrapePreferences> said = new ArrayList<>();
        broker.ifPresent(b -> said.add(b.preferences()));
        metadata.ifPresent(said::add);
        ScrapePreferences preferences = ScrapePreferences.inOrder(said);
        ContainerMetrics containerMetrics = config.get(Keys.CF_CONTAINER_METRICS)
                ? cloudController.<ContainerMetrics>map(cc -> new ContainerStats(cc, metadata.orElseThrow(), config.get(Keys.CF_STATS_TTL)))
                        .orElse(ContainerMetrics.NONE)
                : ContainerMetrics.NONE;
        AppMetricsEndpoint appMetrics = new AppMetricsEndpoint(table, preferences, callers, containerMetrics, scrapeClient, mergers,
                config.get(Keys.ROUTES_REGISTER_INTERVAL), new MergeMetrics(registry),
                memory, lastScrapes);
        ExplainEndpoint explain = new ExplainEndpoint(new Explainer(table, removed, internalRoutes, followInternalRoutes,
                lastScrapes, preferences, clock), appMetrics, Version.current(), clock);
        Endpoint apps = ExplainEndpoint.beside(new Protected(operatorAccess, explain), appMetrics);

        Router api = new Router()
                .exact("/", "status", new Protected(operatorAccess, new StatusPage(table, health, lastScrapes, Version.current(), clock)))
                .exact("/metrics", "metrics", new MetricsEndpoint(registry))
                .exact("/routes", "routes", new RoutesEndpoint(table, operatorAccess))
                .exact("/v1/sd", "sd", new ServiceDiscoveryEndpoint(table, preferences, callers, "127.0.0.1:" + config.get(Keys.PORT)))
                .exact("/v2/sd", "sd", new ServiceDiscoveryEndpoint(table, preferences, callers, "127.0.0.1:" + config.get(Keys.PORT)))
                .prefix("/v1/apps/", "apps", apps)
                .prefix("/v2/apps/", "apps", apps);
        broker.ifPresent(b -> api.prefix("/broker/", "broker", Set.of("GET", "PUT", "PATCH", "DELETE"), b.endpoint()));
        extraEndpoints.accept(api);

        server = new HttpServer(new HttpServer.Settings(
                config.get(Keys.LISTEN_ADDRESS),
                config.get(Keys.PORT),
                config.get(Keys.HEALTH_PORT),
                Math.toIntExact(config.get(Keys.HTTP_MAX_HEADER_SIZE)),
                config.get(Keys.HTTP_MAX_CONCURRENT_REQUESTS),
                config.get(Keys.HTTP_GZIP_LEVEL),
                config.get(Keys.LOG_ACCESS),
                config.get(Keys.HTTP_HEADER_TIMEOUT),
                config.get(Keys.HTTP_IDLE_TIMEOUT),
                config.get(Keys.HTTP_MAX_CONNECTIONS)), transport, eventLoops, api, health, registry);
    }

    /** Starts listening; throws {@link IllegalStateException} naming the port if one is taken. */
    static Gateway start(GatewayConfig config, Consumer<Router> extraEndpoints) {
        Gateway gateway = new Gateway(config, extraEndpoints);
        try {
            gateway.server.start();
            gateway.sources.forEach(RouteSource::start);
            gateway.adminTokens.ifPresent(UaaTokenKeys::start);
            gateway.broker.ifPresent(ServiceBroker::start);
        } catch (RuntimeException e) {
            gateway.closeSources();
            gateway.closeCloudController();
            gateway.broker.ifPresent(ServiceBroker::close);
            gateway.eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        LOG.info("promfetcher {} started in {} ms: api {}:{}, health {}:{}, transport {}, nats {}",
                Version.current(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gateway.startedAt),
                config.get(Keys.LISTEN_ADDRESS), gateway.server.apiPort(),
                config.get(Keys.LISTEN_ADDRESS), gateway.server.healthPort(),
                gateway.transport.name(), config.get(Keys.NATS_SERVERS));
        return gateway;
    }

    private boolean sourcesReady() {
        for (RouteSource source : sources) {
            if (!source.health().ready()) {
                return false;
            }
        }
        return true;
    }

    private void closeSources() {
        for (int i = sources.size() - 1; i >= 0; i--) {
            sources.get(i).close();
        }
    }

    private void closeCloudController() {
        adminTokens.ifPresent(UaaTokenKeys::close);
        cloudController.ifPresent(CloudController::close);
    }

    private static Optional<CfSettings> cfSettings(GatewayConfig c) {
        if (c.get(Keys.CF_API_URL).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new CfSettings(
                URI.create(c.get(Keys.CF_API_URL)),
                c.get(Keys.CF_CLIENT_ID),
                c.get(Keys.CF_CLIENT_SECRET),
                c.get(Keys.CF_CA_FILE),
                c.get(Keys.CF_SKIP_SSL_VALIDATION),
                c.get(Keys.CF_MAX_CONCURRENT_REQUESTS),
                c.get(Keys.CF_MAX_REQUESTS_PER_SECOND),
                c.get(Keys.CF_REQUEST_TIMEOUT),
                c.get(Keys.CF_METADATA_REFRESH),
                c.get(Keys.CF_CONTAINER_METRICS),
                c.get(Keys.CF_STATS_TTL)));
    }

    private static RoutesSettings routesSettings(GatewayConfig c) {
        Optional<String> user = optional(c.get(Keys.ROUTES_API_USER));
        return new RoutesSettings(
                c.get(Keys.ROUTES_STALE_THRESHOLD),
                c.get(Keys.ROUTES_PRUNE_INTERVAL),
                c.get(Keys.ROUTES_REGISTER_INTERVAL),
                c.get(Keys.ROUTES_SUBSCRIBE_ROUTER_START),
                c.get(Keys.ROUTES_PUBLISH_ROUTER_START),
                new RoutesSettings.RoutesEndpoint(c.get(Keys.ROUTES_API_ENABLED), user,
                        user.isPresent() ? Optional.of(c.get(Keys.ROUTES_API_PASSWORD)) : Optional.empty()));
    }

    private static ScrapeSettings scrapeSettings(GatewayConfig c) {
        return new ScrapeSettings(
                c.get(Keys.SCRAPE_INSTANCE_TIMEOUT),
                c.get(Keys.SCRAPE_TIMEOUT_MARGIN),
                c.get(Keys.SCRAPE_MAX_BODY_SIZE),
                c.get(Keys.SCRAPE_MAX_BUFFERED_BYTES),
                c.get(Keys.SCRAPE_MAX_CONNECTIONS_PER_INSTANCE),
                c.get(Keys.SCRAPE_MAX_CONCURRENT_SCRAPES),
                c.get(Keys.SCRAPE_MAX_CONCURRENT_SCRAPES_PER_REQUEST),
                c.get(Keys.SCRAPE_IDLE_CONNECTION_TIMEOUT),
                c.get(Keys.SCRAPE_MAX_IDLE_CONNECTIONS),
                c.get(Keys.SCRAPE_TLS_CA_FILE),
                c.get(Keys.SCRAPE_TLS_CERT_FILE),
                c.get(Keys.SCRAPE_TLS_KEY_FILE),
                ConfigLoader.forwardedHeaders(c));
    }

    private static ServiceBroker.Settings brokerSettings(GatewayConfig c) {
        return new ServiceBroker.Settings(
                c.get(Keys.BROKER_USER),
                c.get(Keys.BROKER_PASSWORD),
                c.get(Keys.BROKER_DATABASE_URL),
                c.get(Keys.BROKER_DATABASE_USER),
                c.get(Keys.BROKER_DATABASE_PASSWORD),
                c.get(Keys.BROKER_DATABASE_TIMEOUT),
                c.get(Keys.BROKER_REFRESH_INTERVAL),
                c.get(Keys.BROKER_SERVICE_ID),
                c.get(Keys.BROKER_PLAN_ID));
    }

    private static NatsSettings natsSettings(GatewayConfig c) {
        Optional<String> user = optional(c.get(Keys.NATS_USER));
        return new NatsSettings(
                c.get(Keys.NATS_SERVERS).stream().map(URI::toString).toList(),
                user,
                user.isPresent() ? Optional.of(c.get(Keys.NATS_PASSWORD)) : Optional.empty(),
                optional(c.get(Keys.NATS_TOKEN)),
                optional(c.get(Keys.NATS_TLS_CA_FILE)).map(Path::of),
                optional(c.get(Keys.NATS_TLS_CERT_FILE)).map(Path::of),
                optional(c.get(Keys.NATS_TLS_KEY_FILE)).map(Path::of),
                c.get(Keys.NATS_RECONNECT_WAIT),
                c.get(Keys.NATS_CONNECT_TIMEOUT));
    }

    private static Optional<String> optional(String value) {
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    Health health() {
        return health;
    }

    PrometheusRegistry registry() {
        return registry;
    }

    /**
     * Shuts down gracefully once, whatever the number of signals: health turns 503 first, the API
     * stops accepting, in-flight requests get up to {@code shutdown_timeout}, then everything
     * closes. Runs on the calling thread.
     */
    void shutdown(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            LOG.info("{} received while already shutting down; still waiting for in-flight requests", reason);
            return;
        }
        long begin = System.nanoTime();
        health.startDraining();
        server.stopAccepting();
        int inFlight = server.inFlight();
        Duration timeout = config.get(Keys.SHUTDOWN_TIMEOUT);
        boolean drained;
        try {
            drained = server.awaitInFlight(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        int abandoned = server.inFlight();
        server.close();
        broker.ifPresent(ServiceBroker::close);
        closeSources();
        closeCloudController();
        scrapeClient.close();
        mergers.shutdownNow();
        eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("promfetcher stopped on {} in {} ms: {} request(s) in flight at the signal, {}",
                reason, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), inFlight,
                drained ? "all finished" : abandoned + " abandoned after " + config.get(Keys.SHUTDOWN_TIMEOUT).toSeconds() + " s");
        stopped.countDown();
    }

    /** Reports unhealthy at once, before the graceful shutdown begins (BOSH drain sends SIGUSR1). */
    void drainAndShutdown(String reason) {
        health.startDraining();
        shutdown(reason);
    }

    void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    int exitCode() {
        return exitCode.get();
    }
}
