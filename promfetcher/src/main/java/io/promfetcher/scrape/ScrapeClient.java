package io.promfetcher.scrape;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.exposition.FailureReason;
import io.promfetcher.netty.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The fan-out client: scrapes every instance of an app concurrently over pooled keep-alive HTTP/1.1
 * connections (HTTPS for instances with a {@code tls_port}), on the event loops it is given (the
 * gateway shares its server's, so a request and its scrapes need no thread hand-offs).
 *
 * <p>Per instance: {@code GET <metric_path>} with the headers of {@link HeaderPolicy}; gzip asked
 * for and decoded; the body limit applied after decompression (a gzip bomb fails with
 * {@code too_large} without the gateway ever holding more than the limit); redirects never
 * followed ({@code http_3xx}); a body cut short is a failure, never passed on.
 * Timing: each instance has {@code scrape.instance_timeout} from the moment it gets a connection
 * slot, and the whole fan-out has the request's deadline; the shorter wins. Concurrency is bounded
 * by {@link Slots} (waiting within the deadline, not failing fast).
 *
 * <p>Thread-safe; one instance per gateway (its metrics are registered once).
 */
public final class ScrapeClient implements AutoCloseable {
    private final ScrapeSettings settings;
    private final EventLoopGroup group;
    private final HeaderPolicy headerPolicy;
    private final ConnectionPool pool;
    private final Slots slots;
    private final MemoryBudget budget;
    private final ScrapeMetrics metrics;
    private volatile boolean closed;

    /**
     * @throws IllegalArgumentException when the TLS files cannot be used or the header allow-list
     *                                  names a header that may never be forwarded; the message
     *                                  names the setting
     */
    public ScrapeClient(ScrapeSettings settings, EventLoopGroup group, Transport transport, PrometheusRegistry registry) {
        this(settings, new MemoryBudget(MemoryBudget.configuredLimit(settings.maxBufferedBytes())), OwnAddresses.NONE,
                group, transport, registry);
    }

    /**
     * @param budget the gateway's one memory budget, shared with the merges of what is scraped
     * @param own    the gateway's own listeners, never scraped
     */
    public ScrapeClient(ScrapeSettings settings, MemoryBudget budget, OwnAddresses own, EventLoopGroup group,
                        Transport transport, PrometheusRegistry registry) {
        this.settings = settings;
        this.group = group;
        this.headerPolicy = new HeaderPolicy(settings.forwardedHeaders());
        this.pool = new ConnectionPool(settings, group, transport, new InstanceTls(settings), own);
        this.slots = new Slots(settings);
        this.budget = budget;
        this.metrics = new ScrapeMetrics(registry, pool::openConnections, slots::inFlight, slots::waiting, budget::used, budget::limit);
        pool.metrics(metrics);
    }

    /** The policy for turning a caller's headers into {@link ForwardedHeaders}, per the configured allow-list. */
    public HeaderPolicy headerPolicy() {
        return headerPolicy;
    }

    public ScrapeSettings settings() {
        return settings;
    }

    /**
     * Scrapes every target concurrently.
     *
     * @return a future completing when every target has succeeded, failed or hit the deadline:
     * one outcome per target, in the order of {@code targets}; never exceptionally. It completes
     * on the caller's event loop when called from one of the group's loops (as the API handler
     * does), else on one of them: do not block in its continuations.
     */
    public <T> CompletableFuture<List<ScrapeOutcome<T>>> scrape(List<ScrapeTarget<T>> targets, ScrapeRequest request) {
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (closed) {
            List<ScrapeOutcome<T>> refused = new ArrayList<>();
            for (ScrapeTarget<T> target : targets) {
                refused.add(new ScrapeOutcome.Failure<>(target, FailureReason.CONNECT,
                        "the gateway is shutting down", Duration.ZERO));
            }
            return CompletableFuture.completedFuture(List.copyOf(refused));
        }
        return new Fanout<>(this, List.copyOf(targets), request, loopForCaller()).start();
    }

    /**
     * The caller's own event loop when it calls from one (the API handler does), so the fan-out's
     * timers and new connections stay on the thread that will merge the results; else any loop.
     */
    private EventLoop loopForCaller() {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop() && executor instanceof EventLoop loop) {
                return loop;
            }
        }
        return group.next();
    }

    /**
     * The fan-out deadline for a caller's {@code X-Prometheus-Scrape-Timeout-Seconds}: its value
     * minus {@code scrape.timeout_margin} (never less than half of it), leaving the gateway time
     * to merge and answer; {@code scrape.instance_timeout} when the header is absent or not a
     * positive number of seconds.
     */
    public Duration deadlineFor(Optional<String> scrapeTimeoutSeconds) {
        Duration callerTimeout = scrapeTimeoutSeconds.flatMap(ScrapeClient::seconds).orElse(Duration.ZERO);
        if (callerTimeout.isZero()) {
            return settings.instanceTimeout();
        }
        Duration minusMargin = callerTimeout.minus(settings.timeoutMargin());
        Duration half = callerTimeout.dividedBy(2);
        return minusMargin.compareTo(half) > 0 ? minusMargin : half.isZero() ? Duration.ofMillis(1) : half;
    }

    private static Optional<Duration> seconds(String value) {
        try {
            double s = Double.parseDouble(value.trim());
            if (!(s > 0) || Double.isInfinite(s) || s > 86_400) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos((long) (s * 1e9)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Closes every pooled connection; later scrapes fail at once with {@code connect}. */
    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    ConnectionPool pool() {
        return pool;
    }

    Slots slots() {
        return slots;
    }

    /** The memory budget bodies are received within (and, by the caller, merged within). */
    public MemoryBudget budget() {
        return budget;
    }

    ScrapeMetrics metrics() {
        return metrics;
    }
}
