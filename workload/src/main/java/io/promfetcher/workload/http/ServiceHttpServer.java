package io.promfetcher.workload.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP side every service has: {@code /metrics} (Prometheus text, or OpenMetrics when asked
 * for) and {@code /health}, plus whatever the service adds. The JDK server is enough here: these
 * endpoints are small and the services are I/O-bound on Redis, not on HTTP.
 */
public final class ServiceHttpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
        // delayed ACK: ~40 ms per answer on loopback.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusRegistry registry;
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    /**
     * @param health the problems that make the service unhealthy right now; empty when healthy
     */
    public ServiceHttpServer(int port, int threads, PrometheusRegistry registry, Supplier<List<String>> health) {
        this.registry = registry;
        try {
            this.server = HttpServer.create(new InetSocketAddress(port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "http-" + port);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        handle("/metrics", this::metrics);
        handle("/health", exchange -> {
            if (!exchange.getRequestURI().getPath().equals("/health")) {
                sendText(exchange, 404, "not found\n");
                return;
            }
            List<String> problems = health.get();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", problems.isEmpty() ? "UP" : "DOWN");
            if (!problems.isEmpty()) {
                body.put("problems", problems);
            }
            sendJson(exchange, problems.isEmpty() ? 200 : 503, body);
        });
    }

    /** Adds a handler for a path prefix; the handler only sees GET and HEAD requests. */
    public void handle(String path, HttpHandler handler) {
        server.createContext(path, exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    sendText(exchange, 405, "method " + method + " not allowed\n");
                    return;
                }
                handler.handle(exchange);
            }
        });
    }

    public void start() {
        server.start();
    }

    /** The port actually bound (useful with PORT=0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void metrics(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/metrics")) {
            sendText(exchange, 404, "not found\n");
            return;
        }
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        ExpositionFormatWriter writer = accept != null && openMetrics.accepts(accept) ? openMetrics : text;
        ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        writer.write(body, registry.scrape());
        send(exchange, 200, writer.getContentType(), body.toByteArray());
    }

    public static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    public static void sendText(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
