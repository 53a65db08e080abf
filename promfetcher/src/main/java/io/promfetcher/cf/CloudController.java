package io.promfetcher.cf;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.cloudfoundry.client.v3.applications.ApplicationResource;
import org.cloudfoundry.client.v3.applications.GetApplicationRequest;
import org.cloudfoundry.client.v3.applications.ListApplicationsRequest;
import org.cloudfoundry.client.v3.applications.ListApplicationsResponse;
import org.cloudfoundry.client.v3.processes.GetProcessStatisticsRequest;
import org.cloudfoundry.client.v3.processes.ListProcessesRequest;
import org.cloudfoundry.client.v3.processes.ListProcessesResponse;
import org.cloudfoundry.client.v3.processes.ProcessResource;
import org.cloudfoundry.client.v3.processes.ProcessStatisticsResource;
import org.cloudfoundry.reactor.ConnectionContext;
import org.cloudfoundry.reactor.DefaultConnectionContext;
import org.cloudfoundry.reactor.DelegatingRootProvider;
import org.cloudfoundry.reactor.RootProvider;
import org.cloudfoundry.reactor.TokenProvider;
import org.cloudfoundry.reactor.client.v3.applications.ReactorApplicationsV3;
import org.cloudfoundry.reactor.client.v3.processes.ReactorProcesses;
import org.cloudfoundry.reactor.tokenprovider.ClientCredentialsGrantTokenProvider;
import org.cloudfoundry.reactor.uaa.ReactorUaaClient;
import org.cloudfoundry.uaa.tokens.ListTokenKeysRequest;
import org.cloudfoundry.uaa.tokens.TokenKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The gateway's one connection to a Cloud Foundry foundation, through cf-java-client: the Cloud
 * Controller (v3) and UAA found from the API's root document. Calls are made either with the
 * gateway's own client-credentials token (metadata, processes, stats, UAA token keys) or with a
 * caller's token (may this caller see this app?). Every call, whoever's token it carries, goes
 * through one {@link CapiLimiter} (concurrency, rate), has one time limit counted from the moment
 * it was asked for, reads at most {@link #MAX_DOCUMENT_BYTES} of answer, and is counted in
 * {@code promfetcher_cf_requests_total{call,outcome}}. Failures complete futures exceptionally
 * with a {@link CapiException}; nothing blocks the calling thread.
 */
public final class CloudController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudController.class);
    /** Largest answer read; pages are asked for {@link #PER_PAGE} resources at a time to stay well below it. */
    static final long MAX_DOCUMENT_BYTES = 32L << 20;
    static final int PER_PAGE = 1000;
    /** A list of more pages than this is cut short (logged, counted): 1000 pages of 1000 apps is beyond any foundation. */
    static final int MAX_PAGES = 1000;
    /** Root document (and so the CC and UAA addresses) reused this long; a failed read is retried after it too. */
    private static final Duration ROOT_CACHE = Duration.ofSeconds(30);

    private final CfSettings settings;
    private final DefaultConnectionContext context;
    private final Mono<String> rootV3;
    private final ReactorApplicationsV3 gatewayApps;
    private final ReactorProcesses gatewayProcesses;
    private final ReactorUaaClient uaa;
    private final ScheduledExecutorService timer;
    private final CapiLimiter limiter;
    private final Counter requests;
    private final Histogram durations;
    /** One warning per call and outcome every few minutes: the counter has every one. */
    private final io.promfetcher.routes.LogLimiter logs = new io.promfetcher.routes.LogLimiter(LOG, System::nanoTime,
            TimeUnit.MINUTES.toNanos(5));

    public CloudController(CfSettings settings, PrometheusRegistry registry) {
        this.settings = settings;
        ObjectMapper json = new ObjectMapper() // cf-java-client's own defaults
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .registerModule(new Jdk8Module())
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
        String host = settings.apiUrl().getHost();
        RootProvider root = new UaaFromRootDocument(DelegatingRootProvider.builder()
                .apiHost(host).port(settings.port()).secure(settings.secure()).objectMapper(json).build());
        SslContext ssl = sslContext(settings);
        this.context = DefaultConnectionContext.builder()
                .apiHost(host)
                .port(settings.port())
                .secure(settings.secure())
                .objectMapper(json)
                .rootProvider(root)
                .cacheDuration(ROOT_CACHE)
                .connectTimeout(settings.requestTimeout())
                .connectionPoolSize(settings.maxConcurrentRequests())
                .threadPoolSize(Math.min(2, Runtime.getRuntime().availableProcessors()))
                // One retry after a 401: the gateway's own token may have expired early and is
                // fetched again; a caller's token fails at once (CallerToken refuses a second use).
                .invalidTokenRetries(1L)
                .additionalHttpClientConfiguration(client -> configure(client, ssl))
                .build();
        TokenProvider gatewayToken = ClientCredentialsGrantTokenProvider.builder()
                .clientId(settings.clientId()).clientSecret(settings.clientSecret()).build();
        this.rootV3 = root.getRoot("cloud_controller_v3", context);
        this.gatewayApps = new ReactorApplicationsV3(context, rootV3, gatewayToken, Map.of());
        this.gatewayProcesses = new ReactorProcesses(context, rootV3, gatewayToken, Map.of());
        this.uaa = ReactorUaaClient.builder().connectionContext(context).tokenProvider(gatewayToken).build();
        this.timer = Executors.newSingleThreadScheduledExecutor(new io.netty.util.concurrent.DefaultThreadFactory("promfetcher-cf", true));
        this.limiter = new CapiLimiter(settings.maxConcurrentRequests(), settings.maxRequestsPerSecond(), 10_000,
                System::nanoTime, timer);
        this.requests = Counter.builder().name("promfetcher_cf_requests_total")
                .help("Requests to the Cloud Controller and UAA, by call and outcome (ok, http_<status>, timeout, overloaded, connect, tls, too_large, bad_document, error).")
                .labelNames("call", "outcome").register(registry);
        this.durations = Histogram.builder().name("promfetcher_cf_request_duration_seconds")
                .help("Time of Cloud Controller and UAA requests, waiting for a turn included.")
                .labelNames("call").classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    }

    /** The limits this controller is called within (timeouts, TTLs). */
    CfSettings settings() {
        return settings;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    // ---------------------------------------------------------------- calls

    /**
     * {@code GET /v3/apps/{guid}} with the caller's token: true when its holder can see the app
     * (200), false when it cannot (the Cloud Controller answers 404 for apps a user may not see,
     * 403 for a token without the read scope). A token it refuses fails with status 401.
     */
    CompletableFuture<Boolean> appVisibleTo(String callerToken, String appGuid) {
        CallerToken token = new CallerToken(callerToken);
        ReactorApplicationsV3 apps = new ReactorApplicationsV3(context, rootV3, token, Map.of());
        return call("app", () -> apps.get(GetApplicationRequest.builder().applicationId(appGuid).build())
                .map(app -> true)
                .onErrorResume(e -> token.rejected ? Mono.error(refused()) : Mono.error(e)))
                .exceptionallyCompose(e -> {
                    CapiException c = CapiException.of(e);
                    return c.status() == 404 || c.status() == 403 ? CompletableFuture.completedFuture(false)
                            : CompletableFuture.failedFuture(c);
                });
    }

    /** {@code GET /v3/apps} with the caller's token, every page: the GUIDs of the apps its holder can see. */
    CompletableFuture<Set<String>> appsVisibleTo(String callerToken) {
        CallerToken token = new CallerToken(callerToken);
        ReactorApplicationsV3 apps = new ReactorApplicationsV3(context, rootV3, token, Map.of());
        return allPages("apps_visible", page -> apps.list(ListApplicationsRequest.builder().page(page).perPage(PER_PAGE).build())
                        .onErrorResume(e -> token.rejected ? Mono.error(refused()) : Mono.error(e)),
                ListApplicationsResponse::getResources, r -> r.getPagination().getTotalPages())
                .thenApply(resources -> {
                    Set<String> guids = new HashSet<>();
                    for (ApplicationResource app : resources) {
                        guids.add(app.getId());
                    }
                    return guids;
                });
    }

    /** Every app's annotations, with the gateway's token: app GUID → annotations. */
    CompletableFuture<Map<String, Map<String, String>>> annotations() {
        return allPages("apps", page -> gatewayApps.list(ListApplicationsRequest.builder().page(page).perPage(PER_PAGE).build()),
                ListApplicationsResponse::getResources, r -> r.getPagination().getTotalPages())
                .thenApply(resources -> {
                    Map<String, Map<String, String>> byApp = new HashMap<>();
                    for (ApplicationResource app : resources) {
                        Map<String, String> annotations = app.getMetadata() == null || app.getMetadata().getAnnotations() == null
                                ? Map.of() : app.getMetadata().getAnnotations();
                        byApp.put(app.getId(), Map.copyOf(withoutNulls(annotations)));
                    }
                    return byApp;
                });
    }

    /** Every web process, with the gateway's token: app GUID → its web process GUIDs (two during a rolling deployment). */
    CompletableFuture<Map<String, List<String>>> webProcesses() {
        return allPages("processes", page -> gatewayProcesses.list(ListProcessesRequest.builder().type("web")
                                .page(page).perPage(PER_PAGE).build()),
                ListProcessesResponse::getResources, r -> r.getPagination().getTotalPages())
                .thenApply(resources -> {
                    Map<String, List<String>> byApp = new HashMap<>();
                    for (ProcessResource p : resources) {
                        String app = p.getRelationships() == null || p.getRelationships().getApp() == null
                                || p.getRelationships().getApp().getData() == null ? null
                                : p.getRelationships().getApp().getData().getId();
                        if (app != null) {
                            byApp.computeIfAbsent(app, a -> new ArrayList<>()).add(p.getId());
                        }
                    }
                    return byApp;
                });
    }

    /** {@code GET /v3/processes/{guid}/stats}, with the gateway's token. */
    CompletableFuture<List<ProcessStatisticsResource>> stats(String processGuid) {
        return call("stats", () -> gatewayProcesses.getStatistics(GetProcessStatisticsRequest.builder()
                .processId(processGuid).build()).map(r -> r.getResources()));
    }

    /** UAA's token signing keys ({@code GET /token_keys}). */
    CompletableFuture<List<TokenKey>> tokenKeys() {
        return call("token_keys", () -> uaa.tokens().listKeys(ListTokenKeysRequest.builder().build()).map(r -> r.getKeys()));
    }

    /**
     * Every page of a list, one limited call per page, in order. Pages beyond {@link #MAX_PAGES}
     * are not read (logged).
     */
    private <R, T> CompletableFuture<List<T>> allPages(String call, Function<Integer, Mono<R>> page,
                                                       Function<R, List<T>> resources, Function<R, Integer> totalPages) {
        List<T> all = new ArrayList<>();
        return nextPage(call, page, resources, totalPages, 1, all).thenApply(done -> all);
    }

    private <R, T> CompletableFuture<Void> nextPage(String call, Function<Integer, Mono<R>> page, Function<R, List<T>> resources,
                                                    Function<R, Integer> totalPages, int number, List<T> all) {
        return call(call, () -> page.apply(number)).thenCompose(response -> {
            all.addAll(resources.apply(response));
            Integer total = totalPages.apply(response);
            if (total == null || number >= total) {
                return CompletableFuture.completedFuture(null);
            }
            if (number >= MAX_PAGES) {
                LOG.warn("Cloud Controller {} list has {} pages; only the first {} were read", call, total, MAX_PAGES);
                requests.labelValues(call, "too_large").inc();
                return CompletableFuture.completedFuture(null);
            }
            return nextPage(call, page, resources, totalPages, number + 1, all);
        });
    }

    /**
     * One request within the limits: waits for a turn, runs, and fails with a {@link CapiException}
     * when it takes longer than {@code cf.request_timeout} from now, waiting included.
     */
    <T> CompletableFuture<T> call(String call, Supplier<Mono<T>> request) {
        long start = System.nanoTime();
        Duration timeout = settings.requestTimeout();
        CompletableFuture<Runnable> turn = limiter.acquire().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
        CompletableFuture<T> result = turn.thenCompose(release -> {
            Duration left = timeout.minusNanos(System.nanoTime() - start);
            Mono<T> mono;
            try {
                mono = request.get();
            } catch (RuntimeException e) {
                release.run();
                return CompletableFuture.failedFuture(e);
            }
            return mono.timeout(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left)
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("Cannot build: the answer was empty")))
                    .doFinally(signal -> release.run())
                    .toFuture();
        });
        return result.handle((value, failure) -> {
            durations.labelValues(call).observe((System.nanoTime() - start) / 1e9);
            if (failure == null) {
                requests.labelValues(call, "ok").inc();
                return CompletableFuture.completedFuture(value);
            }
            CapiException c = CapiException.of(failure);
            requests.labelValues(call, c.reason()).inc();
            if (c.status() == 401 || c.status() == 403 || c.status() == 404) {
                LOG.debug("Cloud Controller call {}: {} ({})", call, c.reason(), c.getMessage()); // an answer, not a fault
            } else {
                logs.warn(call + " " + c.reason(), "Cloud Controller call {} failed: {} ({})", call, c.reason(), c.getMessage());
            }
            return CompletableFuture.<T>failedFuture(c);
        }).thenCompose(Function.identity());
    }

    private static CapiException refused() {
        return new CapiException("http_401", 401, "the caller's token was refused", null);
    }

    private static <K, V> Map<K, V> withoutNulls(Map<K, V> map) {
        Map<K, V> copy = new HashMap<>();
        map.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        context.dispose();
    }

    // ---------------------------------------------------------------- plumbing

    /** TLS as configured, a bound on each answer's size. */
    private static HttpClient configure(HttpClient client, Optional<SslContext> ssl) {
        HttpClient limited = client.doOnResponse((response, connection) ->
                connection.addHandlerFirst("promfetcher-size-limit", new SizeLimit(MAX_DOCUMENT_BYTES)));
        return ssl.map(s -> limited.secure(spec -> spec.sslContext(s))).orElse(limited);
    }

    private static HttpClient configure(HttpClient client, SslContext ssl) {
        return configure(client, Optional.ofNullable(ssl));
    }

    /** The CA file or "trust anything" as asked; null for the JVM's defaults. */
    private static SslContext sslContext(CfSettings settings) {
        if (!settings.skipSslValidation() && settings.caFile().isEmpty()) {
            return null;
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (settings.skipSslValidation()) {
                LOG.warn("cf.skip_ssl_validation is on: any certificate is accepted from the Cloud Controller and UAA");
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else {
                builder.trustManager(new File(settings.caFile()));
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("cf.ca_file " + settings.caFile() + ": " + e.getMessage(), e);
        }
    }

    /** Fails an answer larger than the limit instead of aggregating it in memory. */
    private static final class SizeLimit extends ChannelInboundHandlerAdapter {
        private final long limit;
        private long seen;
        private boolean failed;

        SizeLimit(long limit) {
            this.limit = limit;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse) {
                seen = 0;
            }
            if (msg instanceof ByteBufHolder holder) {
                seen += holder.content().readableBytes();
            } else if (msg instanceof io.netty.buffer.ByteBuf buf) {
                seen += buf.readableBytes();
            }
            if (seen > limit) {
                io.netty.util.ReferenceCountUtil.release(msg);
                if (!failed) {
                    failed = true;
                    ctx.fireExceptionCaught(new CapiException.DocumentTooLarge(limit));
                    ctx.close();
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * A caller's token, for one call. The Operator of cf-java-client retries once after a 401
     * (calling {@link #invalidate} first); a caller's token cannot be renewed, so the retry fails
     * at once instead of sending the same refused token again.
     */
    private static final class CallerToken implements TokenProvider {
        private final String token;
        private volatile boolean rejected;

        CallerToken(String token) {
            this.token = token;
        }

        @Override
        public Mono<String> getToken(ConnectionContext connectionContext) {
            return rejected ? Mono.error(refused()) : Mono.just("bearer " + token);
        }

        @Override
        public void invalidate(ConnectionContext connectionContext) {
            rejected = true;
        }
    }

    /**
     * The root document names UAA under {@code links.uaa}; cf-java-client's token providers ask
     * for {@code authorization_endpoint}, a key of the v2 info document only. This maps one to
     * the other, so UAA is found from the v3 root document even where {@code /v2} is switched off.
     */
    private static final class UaaFromRootDocument implements RootProvider {
        private final RootProvider delegate;

        UaaFromRootDocument(RootProvider delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<String> getRoot(ConnectionContext connectionContext) {
            return delegate.getRoot(connectionContext);
        }

        @Override
        public Mono<String> getRoot(String key, ConnectionContext connectionContext) {
            return delegate.getRoot(key.equals("authorization_endpoint") ? "uaa" : key, connectionContext);
        }
    }
}
