package io.promfetcher.workload.linkfarm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.promfetcher.workload.synthetic.Page;
import io.promfetcher.workload.synthetic.SyntheticWorld;
import io.promfetcher.workload.announce.Announcing;
import io.promfetcher.workload.announce.RouteAnnouncer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.config.Instance;
import io.promfetcher.workload.source.Sources;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The offline web of the synthetic world: answers every short link, hop and final page, routing
 * by {@code Host}, so the resolver can follow real redirects with no internet and no DNS. The
 * resolver uses it as its HTTP proxy, so requests arrive in absolute form
 * ({@code GET http://host/path}); direct requests with a {@code Host} header work too. A host that
 * is not part of the world behaves as a dead host: the connection is closed with no response.
 */
public final class LinkFarm implements AutoCloseable {
    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
        // delayed ACK: ~40 ms per answer on loopback.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final SyntheticWorld world;
    private final Duration hopLatency;
    private final Duration slowDelay;
    private final Duration stallDelay;
    /** Where it serves its own metrics when asked directly; a non-default path shows a service binding's effect. */
    private final String metricsPath;
    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private Function<Integer, Optional<RouteAnnouncer>> announce = port -> Optional.empty();
    private Optional<RouteAnnouncer> announcer = Optional.empty();
    private final Counter answers = Counter.builder()
            .name("linkfarm_answers_total")
            .help("Answers given, by HTTP status (dead_host: connection closed without one)")
            .labelNames("status")
            .register(registry);

    /**
     * @param hopLatency added to every answer, to model the network (benchmarks use ~20 ms)
     * @param slowDelay  extra wait of a slow hop (below the resolver's timeout)
     * @param stallDelay extra wait of a stalled hop (above the resolver's timeout)
     */
    public LinkFarm(SyntheticWorld world, int port, Duration hopLatency, Duration slowDelay, Duration stallDelay) {
        this(world, port, hopLatency, slowDelay, stallDelay, "/metrics");
    }

    /** @param metricsPath the path of its own metrics, {@code /metrics} unless told otherwise */
    public LinkFarm(SyntheticWorld world, int port, Duration hopLatency, Duration slowDelay, Duration stallDelay,
                    String metricsPath) {
        if (!metricsPath.startsWith("/") || metricsPath.equals("/health")) {
            throw new IllegalArgumentException("LINKFARM_METRICS_PATH must be a path starting with / other than /health, not " + metricsPath);
        }
        this.metricsPath = metricsPath;
        this.world = world;
        this.hopLatency = hopLatency;
        this.slowDelay = slowDelay;
        this.stallDelay = stallDelay;
        try {
            this.server = HttpServer.create(new InetSocketAddress(port), 512);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        // Threads sleep through latencies: a cached pool keeps slow hops from queueing fast ones.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "linkfarm");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::answer);
    }

    /** The link farm of {@code SYNTHETIC_SEED}/{@code SYNTHETIC_LINKS} (the tracker's must match). */
    public static LinkFarm fromEnv(Env env) {
        Instance instance = Instance.from("linkfarm", env, 8090);
        Announcing announcing = Announcing.fromEnv(env);
        LinkFarm farm = new LinkFarm(Sources.world(env),
                instance.port(),
                env.duration("LINKFARM_HOP_LATENCY", Duration.ZERO, Duration.ZERO, Duration.ofSeconds(60)),
                env.duration("LINKFARM_SLOW_DELAY", Duration.ofMillis(200), Duration.ZERO, Duration.ofSeconds(60)),
                env.duration("LINKFARM_STALL_DELAY", Duration.ofSeconds(10), Duration.ZERO, Duration.ofMinutes(10)),
                env.string("LINKFARM_METRICS_PATH", "/metrics"));
        farm.announce = (port) -> announcing.start(instance, port);
        return farm;
    }

    public LinkFarm start() {
        server.start();
        announcer = announce.apply(port());
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI target = exchange.getRequestURI();
            String host = host(exchange, target);
            String pathAndQuery = (target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath())
                    + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
            Optional<Page> page = world.page(host, pathAndQuery);
            if (page.isEmpty() && !world.knowsHost(host) && isOwnEndpoint(pathAndQuery)) {
                // Asked directly (Host: localhost:port), not as a proxy: its own /metrics and /health.
                if (pathAndQuery.equals(metricsPath)) {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
                    writer.write(body, registry.scrape());
                    exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
                    exchange.sendResponseHeaders(200, body.size());
                    exchange.getResponseBody().write(body.toByteArray());
                } else {
                    send(exchange, 200, Optional.empty(), "{\"status\":\"UP\"}");
                }
                return;
            }
            if (page.isEmpty() && !world.knowsHost(host)) {
                // Throwing before the status line makes the JDK server drop the connection: a dead host.
                answers.labelValues("dead_host").inc();
                throw new IOException("no such host in the link farm: " + host);
            }
            sleep(hopLatency);
            if (page.isEmpty()) {
                answers.labelValues("404").inc();
                send(exchange, 404, Optional.empty(), "not found\n");
                return;
            }
            Page p = page.get();
            answers.labelValues(Integer.toString(p.status())).inc();
            switch (p.delay()) {
                case SLOW -> sleep(slowDelay);
                case STALL -> sleep(stallDelay);
                default -> { }
            }
            send(exchange, p.status(), p.location(), p.status() + " from the link farm\n");
        }
    }

    private boolean isOwnEndpoint(String pathAndQuery) {
        return pathAndQuery.equals(metricsPath) || pathAndQuery.equals("/health");
    }

    private static String host(HttpExchange exchange, URI target) {
        String host = target.getHost() != null ? target.getHost() : exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return "";
        }
        int colon = host.lastIndexOf(':');
        if (colon > 0 && !host.endsWith("]")) {
            host = host.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    private static void send(HttpExchange exchange, int status, Optional<String> location, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        location.ifPresent(l -> exchange.getResponseHeaders().set("Location", l));
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void sleep(Duration duration) throws IOException {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        announcer.ifPresent(RouteAnnouncer::close);
        server.stop(0);
        executor.shutdownNow();
    }
}
