package io.promfetcher.workload.frontend;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
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
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The frontend service: the hotlist over HTTP. {@code GET /} keeps the original shape (a JSON
 * array of up to 30 {@code {"url","score"}}, highest first) with the right content type;
 * {@code GET /api/hotlist?limit=N} is the documented API; {@code GET /hotlist} a small live page.
 */
public final class Frontend implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Frontend.class);
    public static final int ORIGINAL_LIMIT = 30;
    public static final int MAX_LIMIT = 1000;

    /** Everything the frontend reads from the environment. */
    public record Config(Instance instance, RedisAddress hotlist, int threads, Announcing announcing) {
        public static Config fromEnv(Env env) {
            return new Config(
                    Instance.from("frontend", env, 8080),
                    RedisAddress.from(env, "HOTLIST_REDIS", "127.0.0.1:6380"),
                    env.integer("FRONTEND_THREADS", 8, 1, 256),
                    Announcing.fromEnv(env));
        }
    }

    private final Config config;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final JedisPooled redis;
    private final Hotlist hotlist;
    private final ServiceHttpServer http;
    private final Counter requests;
    private final Histogram duration;
    private final byte[] page;
    private Optional<RouteAnnouncer> announcer = Optional.empty();

    public Frontend(Config config) {
        this.config = config;
        this.redis = config.hotlist().connect();
        this.hotlist = new Hotlist(redis);
        requests = Counter.builder()
                .name("frontend_requests_total")
                .help("HTTP requests answered, by handler and status code")
                .labelNames("handler", "code")
                .register(registry);
        duration = Histogram.builder()
                .name("frontend_request_duration_seconds")
                .help("Time to answer a hotlist request, Redis included")
                .unit(Unit.SECONDS)
                .labelNames("handler")
                .classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
                .register(registry);
        WorkloadGauges.hotlistSize(registry, hotlist);
        this.page = resource("hotlist.html");
        this.http = new ServiceHttpServer(config.instance().port(), config.threads(), registry, this::health);
        http.handle("/", measured("original", this::original));
        http.handle("/api/hotlist", measured("api", this::api));
        http.handle("/hotlist", measured("page", this::page));
    }

    public static Frontend fromEnv(Env env) {
        return new Frontend(Config.fromEnv(env));
    }

    public Frontend start() {
        http.start();
        announcer = config.announcing().start(config.instance(), http.port());
        LOG.info("frontend listening on {}, hotlist {}", http.port(), config.hotlist());
        return this;
    }

    public int port() {
        return http.port();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    private int original(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/")) {
            return error(exchange, 404, "no such page: " + exchange.getRequestURI().getPath());
        }
        ServiceHttpServer.sendJson(exchange, 200, lines(hotlist.top(ORIGINAL_LIMIT)));
        return 200;
    }

    private int api(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/api/hotlist")) {
            return error(exchange, 404, "no such API: " + exchange.getRequestURI().getPath());
        }
        int limit;
        try {
            limit = limit(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            return error(exchange, 400, e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("limit", limit);
        body.put("size", hotlist.size());
        body.put("hotlist", lines(hotlist.top(limit)));
        ServiceHttpServer.sendJson(exchange, 200, body);
        return 200;
    }

    private int page(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/hotlist")) {
            return error(exchange, 404, "no such page: " + exchange.getRequestURI().getPath());
        }
        ServiceHttpServer.send(exchange, 200, "text/html; charset=utf-8", page);
        return 200;
    }

    /** {@code limit} from the query string: absent → 30; otherwise one integer from 1 to 1000. */
    static int limit(String rawQuery) {
        Optional<String> value = Optional.empty();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (name.equals("limit")) {
                    if (value.isPresent()) {
                        throw new IllegalArgumentException("limit given more than once");
                    }
                    value = Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        if (value.isEmpty()) {
            return ORIGINAL_LIMIT;
        }
        String expected = "limit must be an integer from 1 to " + MAX_LIMIT + ", got \"" + value.get() + "\"";
        try {
            int limit = Integer.parseInt(value.get());
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException(expected);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected);
        }
    }

    private static List<Map<String, Object>> lines(List<Hotlist.Entry> entries) {
        List<Map<String, Object>> lines = new ArrayList<>(entries.size());
        for (Hotlist.Entry entry : entries) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("url", entry.url().orElse(null));
            double score = entry.score();
            line.put("score", score == Math.rint(score) && Math.abs(score) < 1e15 ? (Object) (long) score : (Object) score);
            lines.add(line);
        }
        return lines;
    }

    private static int error(HttpExchange exchange, int status, String message) throws IOException {
        ServiceHttpServer.sendJson(exchange, status, Map.of("error", message));
        return status;
    }

    /** A handler that answers with a status; counted and timed per handler, Redis outages become 503. */
    private interface Answer {
        int answer(HttpExchange exchange) throws IOException;
    }

    private HttpHandler measured(String handler, Answer answer) {
        return exchange -> {
            long started = System.nanoTime();
            int status;
            try {
                status = answer.answer(exchange);
            } catch (JedisConnectionException stale) {
                // After a Redis restart each pooled connection fails once: one retry gets a fresh one.
                try {
                    status = answer.answer(exchange);
                } catch (RuntimeException e) {
                    status = unavailable(exchange, e);
                }
            } catch (RuntimeException e) {
                status = unavailable(exchange, e);
            }
            requests.labelValues(handler, Integer.toString(status)).inc();
            duration.labelValues(handler).observe((System.nanoTime() - started) / 1e9);
        };
    }

    /** A transient Redis failure is a 503 the client may retry; anything else is a bug, thrown on. */
    private static int unavailable(HttpExchange exchange, RuntimeException e) throws IOException {
        if (!RedisRetry.isTransient(e)) {
            throw e;
        }
        return error(exchange, 503, "hotlist Redis unavailable: " + e.getMessage());
    }

    private List<String> health() {
        try {
            hotlist.ping();
            return List.of();
        } catch (RuntimeException e) {
            return List.of("hotlist Redis " + config.hotlist() + " unreachable: " + e.getMessage());
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = Frontend.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        announcer.ifPresent(RouteAnnouncer::close);
        http.close();
        redis.close();
    }
}
