package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.exposition.ExpositionMerger;
import io.promfetcher.exposition.FailureReason;
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
    private final ScrapePreferences preferences;
    private final ScrapeClient client;
    private final Executor mergeExecutor;
    private final Duration warmUpRetry;
    private final MergeMetrics metrics;
    private final MergeBudget budget;
    private final AppAuthorization authorization;
    private final ContainerMetrics containerMetrics;

    public AppMetricsEndpoint(RouteTable table, ScrapePreferences preferences, ScrapeClient client, Executor mergeExecutor,
                              Duration warmUpRetry, MergeMetrics metrics, MergeBudget budget) {
        this(table, preferences, CallerAuthorization.OPEN, ContainerMetrics.NONE, client, mergeExecutor, warmUpRetry, metrics,
                budget);
    }

    /**
     * @param authorization    who may read which app ({@link CallerAuthorization#OPEN}: everyone)
     * @param containerMetrics what the platform adds about each instance in {@code .../metrics}
     */
    public AppMetricsEndpoint(RouteTable table, ScrapePreferences preferences, CallerAuthorization authorization,
                              ContainerMetrics containerMetrics, ScrapeClient client, Executor mergeExecutor,
                              Duration warmUpRetry, MergeMetrics metrics, MergeBudget budget) {
        this.authorization = new AppAuthorization(authorization);
        this.containerMetrics = containerMetrics;
        this.table = table;
        this.preferences = preferences;
        this.client = client;
        this.mergeExecutor = mergeExecutor;
        this.warmUpRetry = warmUpRetry;
        this.metrics = metrics;
        this.budget = budget;
    }

    /**
     * The steps of one request: parse, resolve the app, authorize the caller (refused: nothing is
     * scraped), then {@link #fetch}: plan the targets, scrape, merge within budget, answer.
     */
    @Override
    public CompletionStage<Reply> handle(Request request) {
        if (!AppMetricsRequest.matches(request.rawPath())) {
            return done(Reply.text(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + request.path()
                    + " (app metrics are at /v1/apps/{org}/{space}/{app}/metrics and the forms in the README)"));
        }
        AppMetricsRequest parsed;
        try {
            parsed = AppMetricsRequest.parse(request);
        } catch (AppMetricsRequest.BadRequest e) {
            return done(Reply.text(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        }
        Lookup lookup = lookup(parsed.selector());
        Optional<Reply> unresolved = unresolved(lookup, parsed.selector());
        if (unresolved.isPresent()) {
            return done(unresolved.get());
        }
        return authorization.check(request, lookup.apps()).thenCompose(authorized -> authorized.refusal()
                .map(AppMetricsEndpoint::done)
                .orElseGet(() -> fetch(request, parsed, authorized.apps())));
    }

    /**
     * The steps after authorization: plan the targets, scrape (and, for {@code .../metrics}, ask
     * for the container metrics at the same time), merge within budget, answer.
     */
    private CompletionStage<Reply> fetch(Request request, AppMetricsRequest parsed, List<AppView> apps) {
        List<ScrapeTarget<TargetLabels>> targets = targets(apps, parsed, preferences);
        OutputFormat format = Negotiation.negotiate(request.header("Accept").orElse(null));
        ScrapeStatus status = parsed.onlyApp() ? ScrapeStatus.OMITTED : ScrapeStatus.INCLUDED;
        ScrapeRequest scrape = scrapeRequest(request);
        CompletableFuture<ContainerMetrics.Samples> container = status == ScrapeStatus.INCLUDED
                ? containerMetrics.of(targets.stream().map(ScrapeTarget::instance).toList(), scrape.deadline()).toCompletableFuture()
                : CompletableFuture.completedFuture(ContainerMetrics.NOTHING);
        return client.scrape(targets, scrape)
                .thenCombine(container, Scraped::new)
                .thenCompose(scraped -> mergeWithinBudget(scraped.outcomes(), scraped.container(), format, status));
    }

    /** What the fan-out and the platform said about the instances. */
    private record Scraped(List<ScrapeOutcome<TargetLabels>> outcomes, ContainerMetrics.Samples container) {}

    private Lookup lookup(AppSelector selector) {
        if (selector instanceof AppSelector.ByNames n) {
            return table.byNames(n.organization(), n.space(), n.app());
        }
        if (selector instanceof AppSelector.ByGuid g) {
            return table.byAppGuid(g.guid());
        }
        return table.byRoute(((AppSelector.ByRoute) selector).route());
    }

    /** The answer when the lookup found no instance to scrape: 503 while warming up, else 404. */
    private Optional<Reply> unresolved(Lookup lookup, AppSelector selector) {
        if (lookup instanceof Lookup.WarmingUp) {
            return Optional.of(Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "app " + selector + " not known yet: the route table is still warming up")
                    .withHeader("Retry-After", Long.toString(Math.max(1, warmUpRetry.toSeconds()))));
        }
        if (lookup.apps().stream().allMatch(app -> app.instances().isEmpty())) {
            return Optional.of(Reply.text(HttpResponseStatus.NOT_FOUND, "no app " + selector + " with live instances"));
        }
        return Optional.empty();
    }

    /**
     * One scrape target per live instance. The Host header an instance gets is the route the
     * caller named, else the instance's first route, else its address. The path is the caller's
     * {@code metric_path}, else the app's own preference, else {@link MetricPath#DEFAULT}.
     */
    static List<ScrapeTarget<TargetLabels>> targets(List<AppView> apps, AppMetricsRequest request, ScrapePreferences preferences) {
        List<ScrapeTarget<TargetLabels>> targets = new ArrayList<>();
        for (AppView app : apps) {
            AppIdentity id = app.identity();
            MetricPath path = request.metricPath()
                    .or(() -> preferences.metricPath(id.appId()).map(ScrapePreferences.Preference::value))
                    .orElse(MetricPath.DEFAULT);
            for (Instance instance : app.instances()) {
                String address = instance.address(); // host and the port actually scraped (TLS port when set)
                TargetLabels labels = new TargetLabels(id.organizationId(), id.organizationName(), id.spaceId(),
                        id.spaceName(), id.appId(), id.appName(), instance.index(), instance.index(), address);
                String routeHost = request.selector() instanceof AppSelector.ByRoute r ? hostOf(r.route())
                        : instance.uris().isEmpty() ? address : hostOf(instance.uris().get(0));
                targets.add(new ScrapeTarget<>(labels, instance.host(), instance.port(),
                        instance.tlsPort() > 0 ? OptionalInt.of(instance.tlsPort()) : OptionalInt.empty(),
                        instance.serverCertDomainSan().isEmpty() ? Optional.empty() : Optional.of(instance.serverCertDomainSan()),
                        routeHost, path));
            }
        }
        return targets;
    }

    /** What the caller's request contributes to every instance request: forwarded headers and the deadline. */
    private ScrapeRequest scrapeRequest(Request request) {
        String callerIp = request.remote() == null ? "" : addressOf(request.remote());
        ForwardedHeaders forwarded = client.headerPolicy().forCaller(request.headers(), callerIp, "http");
        Duration deadline = client.deadlineFor(request.header("X-Prometheus-Scrape-Timeout-Seconds"));
        return new ScrapeRequest(forwarded, deadline);
    }

    /**
     * Merges within the memory set aside for merges: the bodies are reserved as soon as they
     * arrive (no room: 503, bodies dropped), the output once it is estimated on the merge thread
     * (it can be several times the bodies: every sample gains nine labels). Everything is given
     * back when the response has been written.
     */
    private CompletionStage<Reply> mergeWithinBudget(List<ScrapeOutcome<TargetLabels>> outcomes,
                                                     ContainerMetrics.Samples container, OutputFormat format,
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
            long output = outputEstimate(outcomes) + supplementEstimate(container);
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
                return merge(outcomes, container, format, status, output).whenWritten(() -> budget.release(held));
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

    /** Container samples: each line gains the instance's labels, like a body's. */
    private static long supplementEstimate(ContainerMetrics.Samples container) {
        long total = 0;
        for (InstanceScrape.Supplement s : container.supplements()) {
            total += 4L * s.bytes().length + 1024;
        }
        return total;
    }

    private Reply merge(List<ScrapeOutcome<TargetLabels>> outcomes, ContainerMetrics.Samples container, OutputFormat format,
                        ScrapeStatus status, long outputEstimate) {
        List<InstanceScrape> scrapes = new ArrayList<>(outcomes.size());
        for (ScrapeOutcome<TargetLabels> outcome : outcomes) {
            if (outcome instanceof ScrapeOutcome.Success<TargetLabels> s) {
                scrapes.add(new InstanceScrape.Body(s.target().instance(), s.body(), s.contentType(), s.duration()));
            } else if (outcome instanceof ScrapeOutcome.Failure<TargetLabels> f) {
                scrapes.add(new InstanceScrape.Failure(f.target().instance(), f.reason(), f.duration()));
            }
        }
        scrapes.addAll(container.supplements());
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
        if (up > 0 || container.known()) { // an app without metrics of its own still has its container's
            return Reply.of(HttpResponseStatus.OK, format.contentType(), body).withNote(note);
        }
        body.release();
        return allFailed(report, outcomes).withNote(note);
    }

    /** Every instance failed: their own 401/403 if that is what they all said, else 502 with reasons. */
    private static Reply allFailed(MergeReport report, List<ScrapeOutcome<TargetLabels>> outcomes) {
        List<FailureReason> reasons = report.instances().stream().map(i -> i.failure().orElse(FailureReason.CONNECT)).toList();
        if (reasons.stream().allMatch(r -> r.equals(FailureReason.http(401)))) {
            return Reply.text(HttpResponseStatus.UNAUTHORIZED, "every instance answered 401: check the credentials sent to the app");
        }
        if (reasons.stream().allMatch(FailureReason::refusedCredentials)) {
            return Reply.text(HttpResponseStatus.FORBIDDEN, "every instance answered 401 or 403: check the credentials sent to the app");
        }
        String detail = report.instances().stream()
                .map(i -> "index " + i.target().index() + " (" + i.target().instance() + "): " + i.failure().map(FailureReason::label).orElse("?")
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
