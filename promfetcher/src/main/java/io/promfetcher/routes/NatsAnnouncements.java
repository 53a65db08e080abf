package io.promfetcher.routes;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NATS route source: keeps the {@link RouteTable} in step with the Cloud Foundry routers' NATS
 * announcements. Connects
 * (and reconnects forever), subscribes to {@code router.register}/{@code router.unregister} (and
 * {@code router.start} if configured), decodes and applies each message on one dispatcher thread,
 * sweeps stale endpoints when {@link ConnectionState} allows it, and publishes the metrics.
 *
 * <p>Lifecycle: {@link #start()} returns at once (the connection is made in the background, so a
 * NATS outage at start does not stop the gateway); {@link #close()} closes the connection and stops
 * the sweeps.
 */
public final class NatsAnnouncements implements RouteSource {
    private static final Logger LOG = LoggerFactory.getLogger(NatsAnnouncements.class);
    static final String REGISTER = "router.register";
    static final String UNREGISTER = "router.unregister";
    static final String START = "router.start";
    static final String INTERNAL_REGISTER = "service-discovery.register";
    static final String INTERNAL_UNREGISTER = "service-discovery.unregister";

    private final RoutesSettings settings;
    private final NatsSettings nats;
    private final LongSupplier nanoClock;
    private final ConnectionState state;
    private final RouteTable table;
    private final RouteMetrics metrics;
    private final RegistrationDecoder decoder = new RegistrationDecoder();
    private final LogLimiter badMessages;
    /** NATS unreachable: the first problem at once, then a reminder a minute, not a line per attempt. */
    private final LogLimiter outage;
    private final String routerId = "promfetcher-" + UUID.randomUUID();
    private final Object lifecycle = new Object();
    private ScheduledExecutorService sweeper;
    private Thread connector;
    private volatile Connection connection;
    private Options options;
    private volatile boolean closed;
    private volatile boolean problemReported;
    private volatile InternalRoutes internalRoutes;

    /**
     * @param table the table to keep up to date; its clock must be {@code System::nanoTime}, this
     *              source's clock
     */
    public NatsAnnouncements(RouteTable table, RoutesSettings settings, NatsSettings nats, PrometheusRegistry registry) {
        this(table, settings, nats, registry, System::nanoTime);
    }

    NatsAnnouncements(RouteTable table, RoutesSettings settings, NatsSettings nats, PrometheusRegistry registry,
                      LongSupplier nanoClock) {
        this.settings = settings;
        this.nats = nats;
        this.nanoClock = nanoClock;
        this.state = new ConnectionState(nanoClock, settings.registerInterval());
        this.table = table;
        this.metrics = new RouteMetrics(registry, table, state, nanoClock);
        this.badMessages = new LogLimiter(LOG, nanoClock, TimeUnit.SECONDS.toNanos(10));
        this.outage = new LogLimiter(LOG, nanoClock, TimeUnit.MINUTES.toNanos(1));
    }

    @Override
    public String name() {
        return "routes";
    }

    /** Ready once warmed up: one register interval after the first connection (see {@link ConnectionState}). */
    @Override
    public SourceHealth health() {
        return new SourceHealth(!state.warmingUp(), state.detail());
    }

    /** The table this source keeps up to date. */
    RouteTable table() {
        return table;
    }

    /** Whether a NATS connection is up now. */
    public boolean connected() {
        return state.connected();
    }

    /**
     * True until one register interval has passed since the first connection: the table may lack
     * apps that exist, so a miss means "not known yet" rather than "no such app".
     */
    public boolean warmingUp() {
        return state.warmingUp();
    }

    /**
     * Also follows route-emitter's internal routes ({@code service-discovery.*}) into
     * {@code internal}, so the gateway can say that an app has only internal routes. Call before
     * {@link #start()}.
     */
    public void followInternalRoutes(InternalRoutes internal) {
        this.internalRoutes = internal;
    }

    /**
     * Starts connecting in the background and schedules the prune sweeps.
     *
     * @throws IllegalStateException when the TLS files cannot be read: a configuration error that
     *                               retrying would not fix
     */
    @Override
    public void start() {
        Options options = options();
        synchronized (lifecycle) {
            if (closed || connector != null) {
                throw new IllegalStateException("NatsAnnouncements is single-use: start() once, then close()");
            }
            sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread t = new Thread(runnable, "routes-prune");
                t.setDaemon(true);
                return t;
            });
            long every = settings.pruneInterval().toNanos();
            sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.NANOSECONDS);
            this.options = options;
            startConnector();
        }
    }

    private void startConnector() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            connection = null;
            connector = new Thread(() -> connectUntilConnected(options), "routes-nats-connect");
            connector.setDaemon(true);
            connector.start();
        }
    }

    /** Closes the NATS connection (subscriptions go with it) and stops the sweeps. */
    @Override
    public void close() {
        Connection current;
        synchronized (lifecycle) {
            closed = true;
            if (connector != null) {
                connector.interrupt();
            }
            if (sweeper != null) {
                sweeper.shutdownNow();
            }
            current = connection;
        }
        if (current != null) {
            try {
                current.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state.disconnected("closed");
    }

    /** One prune sweep, if the connection state allows it. */
    void sweep() {
        try {
            if (state.pruningAllowed()) {
                int pruned = table.pruneStale();
                metrics.pruned(pruned);
                if (pruned > 0) {
                    LOG.info("pruned {} endpoint(s) not announced within their stale threshold", pruned);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("prune sweep failed", e); // keep the schedule alive
        }
    }

    private void connectUntilConnected(Options options) {
        while (!closed) {
            try {
                problemReported = false;
                Connection c = Nats.connect(options);
                synchronized (lifecycle) {
                    if (closed) {
                        c.close();
                        return;
                    }
                    connection = c;
                }
                try {
                    subscribe(c);
                    return;
                } catch (RuntimeException e) {
                    // The connection closed under us (close(), or jnats gave up): start over.
                    if (!closed) {
                        LOG.warn("subscribing on NATS failed ({}); connecting anew", e.toString());
                    }
                    c.close();
                    Thread.sleep(nats.reconnectWait().toMillis());
                }
            } catch (IOException e) {
                if (!problemReported) { // else the listener's cause (TLS, auth) says more than this summary
                    state.problem(NatsSettings.redact(String.valueOf(e.getMessage())));
                }
                outage.warn("connect", "cannot connect to NATS {}: {}; retrying every " + nats.reconnectWait().toMillis() + " ms", nats.redactedServers(),
                        NatsSettings.redact(String.valueOf(e.getMessage())));
                try {
                    Thread.sleep(nats.reconnectWait().toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void subscribe(Connection c) throws InterruptedException {
        Dispatcher dispatcher = c.createDispatcher(this::onMessage);
        // Bursts after a router.start are large in a big foundation: allow more than jnats' defaults,
        // but never more than the heap can spare (beyond it NATS drops messages: a slow consumer,
        // which the next register interval repairs).
        dispatcher.setPendingLimits(-1, pendingBytesLimit());
        dispatcher.subscribe(REGISTER);
        dispatcher.subscribe(UNREGISTER);
        if (settings.subscribeRouterStart()) {
            dispatcher.subscribe(START);
        }
        if (internalRoutes != null) {
            dispatcher.subscribe(INTERNAL_REGISTER);
            dispatcher.subscribe(INTERNAL_UNREGISTER);
        }
        try {
            c.flush(nats.connectTimeout());
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("NATS flush after subscribing timed out; subscriptions are re-sent on reconnect");
        }
        LOG.info("subscribed to {} on {}", settings.subscribeRouterStart()
                ? REGISTER + ", " + UNREGISTER + ", " + START : REGISTER + ", " + UNREGISTER, c.getConnectedUrl());
        publishRouterStart(c); // only after subscribing: the emitters answer at once
    }

    /** Announcements that may wait to be applied: an eighth of the heap, at most 512 MiB. */
    static long pendingBytesLimit() {
        return Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    private void publishRouterStart(Connection c) {
        if (!settings.publishRouterStart()) {
            return;
        }
        String payload = "{\"id\":\"" + routerId + "\",\"hosts\":[],\"minimumRegisterIntervalInSeconds\":"
                + settings.registerInterval().toSeconds() + ",\"pruneThresholdInSeconds\":"
                + settings.staleThreshold().toSeconds() + "}";
        c.publish(START, payload.getBytes(StandardCharsets.UTF_8));
        LOG.info("published router.start so that route emitters re-announce every route now");
    }

    /** Handles one message; never throws, so the subscription survives any input. */
    void onMessage(Message message) {
        String subject = message.getSubject();
        byte[] data = message.getData();
        try {
            switch (subject) {
                case REGISTER -> {
                    Optional<MalformedReason> refused = table.register(decoder.decode(data));
                    metrics.registration();
                    refused.ifPresent(reason -> {
                        metrics.malformed(reason);
                        badMessages.warn(reason.label(), "router.register beyond the route table's limits ({}): {}; first bytes: {}",
                                reason.label(), limitText(reason), preview(data));
                    });
                }
                case UNREGISTER -> {
                    table.unregister(decoder.decode(data));
                    metrics.unregistration();
                }
                case START -> {
                    RegistrationDecoder.RouterStart start = decoder.decodeRouterStart(data);
                    metrics.routerStart();
                    LOG.info("router.start from router {} (register interval {}s, prune threshold {}s)",
                            start.id(), start.minimumRegisterIntervalInSeconds(), start.pruneThresholdInSeconds());
                }
                case INTERNAL_REGISTER -> internalRoutes.register(decoder.decodeInternal(data));
                case INTERNAL_UNREGISTER -> internalRoutes.unregister(decoder.decodeInternal(data));
                default -> LOG.debug("ignoring message on {}", subject);
            }
        } catch (MalformedMessageException e) {
            metrics.malformed(e.reason());
            badMessages.warn(e.reason().label(), "malformed {} message ({}): {}; first bytes: {}",
                    subject, e.reason().label(), e.getMessage(), preview(data));
        } catch (RuntimeException e) {
            LOG.error("failed to apply {} message; first bytes: {}", subject, preview(data), e);
        }
    }

    private static String limitText(MalformedReason reason) {
        return switch (reason) {
            case TOO_MANY_URIS -> "routes beyond routes.max_uris_per_instance were refused, the first ones kept";
            case TOO_MANY_INSTANCES -> "the app already has routes.max_instances_per_app instances; this one was refused";
            case TABLE_FULL -> "the table holds routes.max_instances endpoints; this one was refused";
            default -> reason.label();
        };
    }

    private static String preview(byte[] data) {
        int n = Math.min(data == null ? 0 : data.length, 200);
        String s = n == 0 ? "" : new String(data, 0, n, StandardCharsets.UTF_8);
        return s.replaceAll("[\\r\\n\\t]", " ") + (data != null && data.length > n ? "…" : "");
    }

    private Options options() {
        Options.Builder builder = new Options.Builder()
                .servers(nats.servers().toArray(String[]::new))
                .connectionName("promfetcher")
                .maxReconnects(-1)
                .reconnectWait(nats.reconnectWait())
                .connectionTimeout(nats.connectTimeout())
                .noEcho()
                .connectionListener(new Listener())
                .errorListener(new Errors());
        if (nats.user().isPresent()) {
            builder.userInfo(nats.user().get().toCharArray(), nats.password().orElse("").toCharArray());
        }
        nats.token().ifPresent(token -> builder.token(token.toCharArray()));
        if (nats.tls()) {
            try {
                builder.sslContext(PemSslContext.create(nats.tlsCaFile(), nats.tlsCertFile(), nats.tlsKeyFile()));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("nats TLS: cannot use the certificate files ("
                        + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
            }
        }
        return builder.build();
    }

    /** Follows the connection's ups and downs. */
    private final class Listener implements ConnectionListener {
        @Override
        @SuppressWarnings("deprecation") // still the one abstract method; jnats' newer overload delegates to it
        public void connectionEvent(Connection c, Events event) {
            switch (event) {
                case CONNECTED -> {
                    state.connected(NatsSettings.redact(String.valueOf(c.getConnectedUrl())));
                    LOG.info("connected to NATS {}", c.getConnectedUrl());
                }
                case RECONNECTED -> {
                    state.connected(NatsSettings.redact(String.valueOf(c.getConnectedUrl())));
                    LOG.info("reconnected to NATS {}; pruning resumes after {}", c.getConnectedUrl(),
                            settings.registerInterval());
                    if (!closed) {
                        publishRouterStart(c); // jnats re-sends our subscriptions before this
                    }
                }
                case DISCONNECTED -> {
                    boolean wasConnected = state.connected();
                    state.disconnected(""); // the error listener has reported the cause
                    if (!closed && wasConnected) { // once per outage; each failed attempt after it is not news
                        LOG.warn("disconnected from NATS; reconnecting, pruning suspended");
                    } else {
                        LOG.debug("NATS reconnection attempt failed");
                    }
                }
                case CLOSED -> {
                    if (closed) {
                        state.disconnected("closed");
                    } else if (c == connection) {
                        // jnats gave up on a connection we had (it should not, with endless reconnects):
                        // start over rather than stay disconnected for good.
                        state.disconnected("connection closed by the NATS client; connecting anew");
                        startConnector();
                    }
                    // else: a failed first attempt; the connect loop retries and the cause is kept
                }
                default -> LOG.debug("NATS event {}", event);
            }
        }
    }

    /** Puts what the server complains about (e.g. authorization) into the health detail. */
    private final class Errors implements ErrorListener {
        @Override
        public void errorOccurred(Connection c, String error) {
            state.problem(error);
            problemReported = true;
            outage.warn("nats-error", "NATS error: {}", error);
        }

        @Override
        public void exceptionOccurred(Connection c, Exception e) {
            if (closed) {
                return; // closing interrupts the client's threads: not a problem worth reporting
            }
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            state.problem(cause.getClass().getSimpleName() + ": " + cause.getMessage());
            problemReported = true;
            outage.warn("nats-exception", "NATS connection problem: {}", String.valueOf(e));
        }

        @Override
        public void slowConsumerDetected(Connection c, Consumer consumer) {
            state.problem("slow consumer: NATS dropped announcements; the table catches up within a register interval");
            badMessages.warn("slow-consumer", "NATS slow consumer: announcements are dropped; the table may miss updates");
        }
    }
}
