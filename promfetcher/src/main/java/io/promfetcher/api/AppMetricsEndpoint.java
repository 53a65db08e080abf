package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.exposition.ExpositionMerger;
import io.promfetcher.exposition.InstanceScrape;
import io.promfetcher.exposition.MergeReport;
import io.promfetcher.exposition.Negotiation;
import io.promfetcher.exposition.OutputFormat;
import io.promfetcher.exposition.ScrapeStatus;
import io.promfetcher.exposition.TargetLabels;
import io.promfetcher.routes.AppIdentity;
import io.promfetcher.routes.AppView;
import io.promfetcher.routes.Instance;
import io.promfetcher.routes.Lookup;
import io.promfetcher.routes.RouteTable;
import io.promfetcher.scrape.ForwardedHeaders;
import io.promfetcher.scrape.MetricPath;
import io.promfetcher.scrape.ScrapeClient;
import io.promfetcher.scrape.ScrapeOutcome;
import io.promfetcher.scrape.ScrapeRequest;
import io.promfetcher.scrape.ScrapeTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * {@code /v1/apps/.../metrics}: finds the app's live instances in the route table, scrapes them all
 * at once, merges what they answered and writes it in the caller's format. Status (design §5):
 * 400 bad parameters, 404 unknown app (503 + Retry-After while the table warms up), 200 when at
 * least one instance was scraped and parsed, 401/403 when every instance answered that (the
 * caller's credentials are wrong), 502 with the reasons when every instance failed otherwise.
 *
 * <p>Merging is CPU work proportional to the bodies, so it runs on {@code mergeExecutor}, never on
 * the event loop that serves other connections.
 */
public final class AppMetricsEndpoint implements Endpoint {
    private final RouteTable table;
    private final ScrapeClient client;
    private final Executor mergeExecutor;
    private final Duration warmUpRetry;
    private final MergeMetrics metrics;
    private final MergeBudget budget;

    public AppMetricsEndpoint(RouteTable table, ScrapeClient client, Executor mergeExecutor, Duration warmUpRetry,
                              MergeMetrics metrics, MergeBudget budget) {
        this.table = table;
        this.client = client;
        this.mergeExecutor = mergeExecutor;
        this.warmUpRetry = warmUpRetry;
        this.metrics = metrics;
        this.budget = budget;
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        if (!AppMetricsRequest.matches(request.rawPath())) {
            return done(Reply.text(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + request.path()
                    + " (app metrics are at /v1/apps/{org}/{space}/{app}/metrics and the forms in the README)"));
        }
        AppMetricsRequest parsed;
        MetricPath metricPath;
        try {
            parsed = AppMetricsRequest.parse(request);
            metricPath = MetricPath.validate(request.queryParameter("metric_path").orElse(MetricPath.DEFAULT.value()));
        } catch (AppMetricsRequest.BadRequest e) {
            return done(Reply.text(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        } catch (IllegalArgumentException e) {
            return done(Reply.text(HttpResponseStatus.BAD_REQUEST, "metric_path: " + e.getMessage()));
        }
        Lookup lookup = lookup(parsed.selector());
        if (lookup instanceof Lookup.WarmingUp) {
            return done(Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "app " + parsed.selector() + " not known yet: the route table is still warming up")
                    .withHeader("Retry-After", Long.toString(Math.max(1, warmUpRetry.toSeconds()))));
        }
        List<ScrapeTarget<TargetLabels>> targets = targets(lookup.apps(), parsed.selector());
        if (targets.isEmpty()) {
            return done(Reply.text(HttpResponseStatus.NOT_FOUND, "no app " + parsed.selector() + " with live instances"));
        }
        String callerIp = request.remote() == null ? "" : addressOf(request.remote());
        ForwardedHeaders forwarded = client.headerPolicy().forCaller(request.headers(), callerIp, "http");
        Duration deadline = client.deadlineFor(request.header("X-Prometheus-Scrape-Timeout-Seconds"));
        OutputFormat format = Negotiation.negotiate(request.header("Accept").orElse(null));
        ScrapeStatus status = parsed.onlyApp() ? ScrapeStatus.OMITTED : ScrapeStatus.INCLUDED;
        return client.scrape(targets, new ScrapeRequest(metricPath, forwarded, deadline, format.instanceAccept()))
                .thenCompose(outcomes -> mergeWithinBudget(outcomes, format, status));
    }

    /**
     * Merges within the memory set aside for merges: the bodies are reserved as soon as they
     * arrive (no room: 503, bodies dropped), the output once it is estimated on the merge thread
     * (it can be several times the bodies: every sample gains nine labels). Everything is given
     * back when the response has been written.
     */
    private CompletionStage<Reply> mergeWithinBudget(List<ScrapeOutcome<TargetLabels>> outcomes, OutputFormat format,
                                                     ScrapeStatus status) {
        long bodies = 0;
        for (ScrapeOutcome<TargetLabels> o : outcomes) {
            if (o instanceof ScrapeOutcome.Success<TargetLabels> s) {
                bodies += s.body().length;
            }
        }
        if (!budget.tryAcquire(bodies)) {
            metrics.rejected();
            return done(busy());
        }
        long heldBodies = bodies;
        return CompletableFuture.supplyAsync(() -> {
            long output = outputEstimate(outcomes);
            if (heldBodies + output > budget.limit()) {
                budget.release(heldBodies);
                metrics.rejected();
                return Reply.text(HttpResponseStatus.BAD_GATEWAY, "the merged output would take about " + (output >> 20)
                        + " MB, more than the memory set aside for merging (scrape.max_buffered_bytes)");
            }
            if (!budget.tryAcquire(output)) {
                budget.release(heldBodies);
                metrics.rejected();
                return busy();
            }
            long held = heldBodies + output;
            try {
                return merge(outcomes, format, status, output).whenWritten(() -> budget.release(held));
            } catch (RuntimeException e) {
                budget.release(held);
                throw e;
            }
        }, mergeExecutor);
    }

    private static Reply busy() {
        return Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "the gateway is merging as much as its memory allows; retry shortly")
                .withHeader("Retry-After", "1");
    }

    /**
     * What the merged output will take, near its upper end: each body, plus for each sample line
     * (lines not starting with '#') the instance's labels as written, plus the scrape status
     * families. The output buffer may still grow past it for unusual input (heavily escaped
     * names); this is the memory the budget admits a merge on.
     */
    static long outputEstimate(List<ScrapeOutcome<TargetLabels>> outcomes) {
        long total = 4096;
        for (ScrapeOutcome<TargetLabels> o : outcomes) {
            List<String> values = o.target().instance().values();
            long labelBytes = 2;
            for (int i = 0; i < TargetLabels.NAMES.size(); i++) {
                labelBytes += TargetLabels.NAMES.get(i).length() + values.get(i).length() + 4;
            }
            total += 6 * (labelBytes + 64);
            if (o instanceof ScrapeOutcome.Success<TargetLabels> s) {
                byte[] body = s.body();
                long samples = 0;
                boolean lineStart = true;
                for (byte b : body) {
                    if (lineStart && b != '#' && b != '\n') {
                        samples++;
                    }
                    lineStart = b == '\n';
                }
                total += body.length + samples * labelBytes;
            }
        }
        return total;
    }

    private Lookup lookup(AppSelector selector) {
        if (selector instanceof AppSelector.ByNames n) {
            return table.byNames(n.organization(), n.space(), n.app());
        }
        if (selector instanceof AppSelector.ByGuid g) {
            return table.byAppGuid(g.guid());
        }
        return table.byRoute(((AppSelector.ByRoute) selector).route());
    }

    /**
     * One scrape target per live instance. The Host header an instance gets is the route the
     * caller named, else the instance's first route, else its address.
     */
    static List<ScrapeTarget<TargetLabels>> targets(List<AppView> apps, AppSelector selector) {
        List<ScrapeTarget<TargetLabels>> targets = new ArrayList<>();
        for (AppView app : apps) {
            AppIdentity id = app.identity();
            for (Instance instance : app.instances()) {
                String address = instance.address(); // host and the port actually scraped (TLS port when set)
                TargetLabels labels = new TargetLabels(id.organizationId(), id.organizationName(), id.spaceId(),
                        id.spaceName(), id.appId(), id.appName(), instance.index(), instance.index(), address);
                String routeHost = selector instanceof AppSelector.ByRoute r ? hostOf(r.route())
                        : instance.uris().isEmpty() ? address : hostOf(instance.uris().get(0));
                targets.add(new ScrapeTarget<>(labels, instance.host(), instance.port(),
                        instance.tlsPort() > 0 ? OptionalInt.of(instance.tlsPort()) : OptionalInt.empty(),
                        instance.serverCertDomainSan().isEmpty() ? Optional.empty() : Optional.of(instance.serverCertDomainSan()),
                        routeHost));
            }
        }
        return targets;
    }

    private Reply merge(List<ScrapeOutcome<TargetLabels>> outcomes, OutputFormat format, ScrapeStatus status,
                        long outputEstimate) {
        List<InstanceScrape> scrapes = new ArrayList<>(outcomes.size());
        for (ScrapeOutcome<TargetLabels> outcome : outcomes) {
            if (outcome instanceof ScrapeOutcome.Success<TargetLabels> s) {
                scrapes.add(new InstanceScrape.Body(s.target().instance(), s.body(), s.contentType(), s.duration()));
            } else if (outcome instanceof ScrapeOutcome.Failure<TargetLabels> f) {
                scrapes.add(new InstanceScrape.Failure(f.target().instance(), f.reason(), f.duration()));
            }
        }
        // Starts at a typical size (labels roughly double a corpus body) and grows if needed;
        // starting at the reserved upper bound would take the allocator's slow unpooled path on
        // every request for memory that is rarely used. Not capped at the bound: an estimate
        // beaten by unusual input (heavily escaped names) must not fail the request.
        long bodies = 0;
        for (ScrapeOutcome<TargetLabels> outcome : outcomes) {
            if (outcome instanceof ScrapeOutcome.Success<TargetLabels> s) {
                bodies += s.body().length;
            }
        }
        int max = (int) Math.min(Integer.MAX_VALUE - 8, outputEstimate);
        ByteBuf body = ByteBufAllocator.DEFAULT.buffer((int) Math.min(max, bodies * 5 / 2 + 16384));
        MergeReport report;
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            report = ExpositionMerger.merge(scrapes, format, status, out);
        } catch (IOException | RuntimeException e) {
            body.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        metrics.record(report);
        long up = report.instances().stream().filter(MergeReport.InstanceOutcome::up).count();
        String note = "instances=" + up + "/" + report.instances().size();
        if (up > 0) {
            return Reply.of(HttpResponseStatus.OK, format.contentType(), body).withNote(note);
        }
        body.release();
        return allFailed(report, outcomes).withNote(note);
    }

    /** Every instance failed: their own 401/403 if that is what they all said, else 502 with reasons. */
    private static Reply allFailed(MergeReport report, List<ScrapeOutcome<TargetLabels>> outcomes) {
        List<String> reasons = report.instances().stream().map(i -> i.failure().orElse("")).toList();
        if (reasons.stream().allMatch(r -> r.equals("http_401"))) {
            return Reply.text(HttpResponseStatus.UNAUTHORIZED, "every instance answered 401: check the credentials sent to the app");
        }
        if (reasons.stream().allMatch(r -> r.equals("http_401") || r.equals("http_403"))) {
            return Reply.text(HttpResponseStatus.FORBIDDEN, "every instance answered 401 or 403: check the credentials sent to the app");
        }
        String detail = report.instances().stream()
                .map(i -> "index " + i.target().index() + " (" + i.target().instance() + "): " + i.failure().orElse("?")
                        + i.parseFailure().map(p -> " at " + p).orElse(""))
                .collect(Collectors.joining("; "));
        return Reply.text(HttpResponseStatus.BAD_GATEWAY, "every instance failed: " + detail);
    }

    private static String hostOf(String route) {
        int slash = route.indexOf('/');
        return slash < 0 ? route : route.substring(0, slash);
    }

    private static String addressOf(InetSocketAddress address) {
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }

    private static CompletionStage<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
