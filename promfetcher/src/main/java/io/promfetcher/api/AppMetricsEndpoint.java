package io.promfetcher.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.exposition.ExpositionMerger;
import io.promfetcher.exposition.FailureReason;
import io.promfetcher.exposition.InstanceScrape;
import io.promfetcher.exposition.MergeReport;
import io.promfetcher.exposition.MergedExposition;
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
import io.promfetcher.scrape.MemoryBudget;
import io.promfetcher.scrape.MetricPath;
import io.promfetcher.scrape.ScrapeClient;
import io.promfetcher.scrape.ScrapeOutcome;
import io.promfetcher.scrape.ScrapeRequest;
import io.promfetcher.scrape.ScrapeTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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
    private final MemoryBudget budget;
    private final AppAuthorization authorization;
    private final ContainerMetrics containerMetrics;
    private final ScrapeListener listener;

    /**
     * @param authorization    who may read which app ({@link CallerAuthorization#OPEN}: everyone)
     * @param containerMetrics what the platform adds about each instance in {@code .../metrics}
     * @param listener         told of every answered scrape (the status page's "last scrape")
     */
    public AppMetricsEndpoint(RouteTable table, ScrapePreferences preferences, CallerAuthorization authorization,
                              ContainerMetrics containerMetrics, ScrapeClient client, Executor mergeExecutor,
                              Duration warmUpRetry, MergeMetrics metrics, MemoryBudget budget, ScrapeListener listener) {
        this.authorization = new AppAuthorization(authorization);
        this.containerMetrics = containerMetrics;
        this.table = table;
        this.preferences = preferences;
        this.client = client;
        this.mergeExecutor = mergeExecutor;
        this.warmUpRetry = warmUpRetry;
        this.metrics = metrics;
        this.budget = budget;
        this.listener = listener;
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
        Lookup lookup = parsed.selector().lookup(table);
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
        ScrapeRequest scrape = scrapeRequest(request, format);
        CompletableFuture<ContainerMetrics.Samples> container = status == ScrapeStatus.INCLUDED
                ? containerMetrics.of(targets.stream().map(ScrapeTarget::instance).toList(), scrape.deadline()).toCompletableFuture()
                : CompletableFuture.completedFuture(ContainerMetrics.NOTHING);
        return client.scrape(targets, scrape)
                .thenCombine(container, Scraped::new)
                .thenCompose(scraped -> mergeWithinBudget(scraped.outcomes(), scraped.container(), format, status));
    }

    /** What the fan-out and the platform said about the instances. */
    private record Scraped(List<ScrapeOutcome<TargetLabels>> outcomes, ContainerMetrics.Samples container) {}

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
    private ScrapeRequest scrapeRequest(Request request, OutputFormat format) {
        String callerIp = request.remote() == null ? "" : addressOf(request.remote());
        ForwardedHeaders forwarded = client.headerPolicy().forCaller(request.headers(), callerIp, "http");
        Duration deadline = client.deadlineFor(request.header("X-Prometheus-Scrape-Timeout-Seconds"));
        return new ScrapeRequest(forwarded, deadline, format.instanceAccept()); // the caller's formats first
    }

    /**
     * Merges within the gateway's one memory budget. Each body already holds its share, handed on
     * by the scrape that received it; the merged output (it can be several times the bodies:
     * every sample gains nine labels) is admitted instance by instance, and an instance whose
     * output does not fit beside what other requests hold is left out with {@code too_large}
     * while the others merge. Once the bodies are read, the output's hold shrinks to the window a
     * streamed answer keeps; bodies and window are given back once the output is written.
     * Merging is CPU work proportional to the bodies: it runs on the merge executor, never on
     * the event loop.
     */
    private CompletionStage<Reply> mergeWithinBudget(List<ScrapeOutcome<TargetLabels>> outcomes,
                                                     ContainerMetrics.Samples container, OutputFormat format,
                                                     ScrapeStatus status) {
        CompletableFuture<Reply> merged;
        try {
            merged = CompletableFuture.supplyAsync(() -> admitAndMerge(outcomes, container, format, status), mergeExecutor);
        } catch (RuntimeException e) { // the executor refused (shutting down): the bodies are not needed any more
            releaseBodies(outcomes);
            throw e;
        }
        return merged.whenComplete((reply, error) -> {
            if (error != null) {
                releaseBodies(outcomes); // nothing is released twice: holds give back once
            }
        });
    }

    private Reply admitAndMerge(List<ScrapeOutcome<TargetLabels>> outcomes, ContainerMetrics.Samples container,
                                OutputFormat format, ScrapeStatus status) {
        MemoryBudget.Hold output = budget.hold();
        Runnable release = () -> { // once the output is written, or will never be: bodies and window back
            output.release();
            releaseBodies(outcomes);
        };
        try {
            Admitted admitted = admit(outcomes, output, budget.limit());
            metrics.refusedForMemory(admitted.refused());
            // The platform's samples are admitted after the instances': without room, they are left out.
            ContainerMetrics.Samples supplied = output.tryGrow(supplementEstimate(container)) ? container : ContainerMetrics.NOTHING;
            return merge(admitted, supplied, format, status, output, release);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    private static void releaseBodies(List<ScrapeOutcome<TargetLabels>> outcomes) {
        for (ScrapeOutcome<TargetLabels> o : outcomes) {
            if (o instanceof ScrapeOutcome.Success<TargetLabels> s) {
                s.memory().release();
            }
        }
    }

    /** The outcomes to merge, and how many instances were left out because their output did not fit. */
    record Admitted(List<ScrapeOutcome<TargetLabels>> outcomes, int refused) {}

    /**
     * Takes the output's share of the budget instance by instance, in order; an instance whose
     * share does not fit becomes a {@code too_large} failure and gives its body back at once.
     */
    static Admitted admit(List<ScrapeOutcome<TargetLabels>> outcomes, MemoryBudget.Hold output, long limit) {
        long fixed = 4096;
        for (ScrapeOutcome<TargetLabels> o : outcomes) {
            fixed += 6 * (o.target().instance().writtenBytes() + 64); // the scrape status lines of every instance
        }
        boolean fixedFits = output.tryGrow(fixed);
        List<ScrapeOutcome<TargetLabels>> admitted = new ArrayList<>(outcomes.size());
        int refused = 0;
        for (ScrapeOutcome<TargetLabels> o : outcomes) {
            if (o instanceof ScrapeOutcome.Success<TargetLabels> s) {
                long share = outputEstimate(s);
                if (!fixedFits || !output.tryGrow(share)) {
                    s.memory().release();
                    refused++;
                    admitted.add(new ScrapeOutcome.Failure<>(s.target(), FailureReason.TOO_LARGE, share + fixed > limit
                            ? "its merged output (about " + (share >> 10) + " KiB) is larger than the memory for bodies and"
                            + " merged output (scrape.max_buffered_bytes, " + (limit >> 10) + " KiB)"
                            : "its merged output (about " + (share >> 10) + " KiB) did not fit in the memory for bodies and"
                            + " merged output (scrape.max_buffered_bytes) beside other requests'", s.duration()));
                    continue;
                }
            }
            admitted.add(o);
        }
        return new Admitted(admitted, refused);
    }

    /**
     * What an instance's part of the merged output will take, near its upper end: its body, plus
     * for each line the instance's labels as written (comment lines counted too: counting them
     * apart would cost a byte-by-byte pass, which profiles showed to be the largest single cost
     * of a request). The output may still grow past it for unusual input (heavily escaped
     * names); this is the memory the budget admits it on while the bodies are read.
     */
    static long outputEstimate(ScrapeOutcome.Success<TargetLabels> success) {
        byte[] body = success.body();
        if (success.contentType().contains("protobuf")) {
            // No lines to count: every metric, some tens of bytes, gains the instance's labels
            // (a few hundred); four times the body is near the upper end for real expositions.
            return 4L * body.length + 64L * success.target().instance().writtenBytes();
        }
        return body.length + (lines(body) + 1) * success.target().instance().writtenBytes();
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

    /** How many '\n' bytes {@code b} holds, eight at a time. */
    static long lines(byte[] b) {
        long count = 0;
        int i = 0;
        for (; i + 8 <= b.length; i += 8) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES; // a newline byte is now zero
            // High bit set in each byte of x that is zero (exact: no borrow across bytes).
            count += Long.bitCount(~(((x & LOW7) + LOW7) | x | LOW7));
        }
        for (; i < b.length; i++) {
            if (b[i] == '\n') {
                count++;
            }
        }
        return count;
    }

    /** Container samples: each line gains the instance's labels, like a body's. */
    private static long supplementEstimate(ContainerMetrics.Samples container) {
        long total = 0;
        for (InstanceScrape.Supplement s : container.supplements()) {
            total += 4L * s.bytes().length + 1024;
        }
        return total;
    }

    /**
     * Reads the bodies, then answers: the merged output, streamed (the output's hold shrinks to
     * the window the stream keeps: {@link #streamWindow}), when an instance was up; else why none
     * was. The bodies stay held until the output is written: the writer copies from them.
     */
    private Reply merge(Admitted admitted, ContainerMetrics.Samples container, OutputFormat format, ScrapeStatus status,
                        MemoryBudget.Hold output, Runnable release) {
        List<ScrapeOutcome<TargetLabels>> outcomes = admitted.outcomes();
        List<InstanceScrape> scrapes = new ArrayList<>(outcomes.size());
        for (ScrapeOutcome<TargetLabels> outcome : outcomes) {
            if (outcome instanceof ScrapeOutcome.Success<TargetLabels> s) {
                scrapes.add(new InstanceScrape.Body(s.target().instance(), s.body(), s.contentType(), s.duration()));
            } else if (outcome instanceof ScrapeOutcome.Failure<TargetLabels> f) {
                scrapes.add(new InstanceScrape.Failure(f.target().instance(), f.reason(), f.duration()));
            }
        }
        scrapes.addAll(container.supplements());
        MergedExposition merged = ExpositionMerger.prepare(scrapes, format, status);
        MergeReport read = merged.report();
        long up = read.instances().stream().filter(MergeReport.InstanceOutcome::up).count();
        String note = "instances=" + up + "/" + read.instances().size();
        if (up > 0 || container.known()) { // an app without metrics of its own still has its container's
            // The window, or the estimate when the whole output is smaller: the stream never holds more.
            output.shrink(output.bytes() - streamWindow(merged));
            return Reply.streamed(HttpResponseStatus.OK, format.contentType(),
                    new MergedBody(merged, mergeExecutor, report -> {
                        release.run();
                        metrics.record(report);
                        listener.answered(report, HttpResponseStatus.OK.code());
                    })).withNote(note);
        }
        merged.discard();
        release.run();
        metrics.record(read);
        Reply reply = (admitted.refused() > 0 // memory, not the app, is what is missing: worth a retry
                ? Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "the gateway is merging as much as its memory allows; retry shortly")
                        .withHeader("Retry-After", "1")
                : allFailed(read)).withNote(note);
        listener.answered(read, reply.status().code());
        return reply;
    }

    /**
     * What a streamed answer holds beyond its bodies: the chunks waiting for the socket, the
     * chunk being filled, the largest part the merge writes at once, and what the merge recorded
     * of each sample for writing.
     */
    static long streamWindow(MergedExposition merged) {
        return BodyStreamer.WINDOW + BodyStreamer.CHUNK + merged.largestPartBytes() + merged.recordedBytes();
    }

    /** The merged output as a streamed body; {@code closed} gets the final report, once. */
    private static final class MergedBody implements StreamedBody {
        private final MergedExposition merged;
        private final Executor executor;
        private final Consumer<MergeReport> closed;
        private final AtomicBoolean done = new AtomicBoolean();

        MergedBody(MergedExposition merged, Executor executor, Consumer<MergeReport> closed) {
            this.merged = merged;
            this.executor = executor;
            this.closed = closed;
        }

        @Override
        public boolean writeNext(OutputStream out) throws IOException {
            return merged.writeNext(out);
        }

        @Override
        public Executor executor() {
            return executor;
        }

        @Override
        public void close(boolean complete) {
            if (done.compareAndSet(false, true)) {
                merged.discard(); // nothing, when the whole output was written
                closed.accept(merged.report());
            }
        }
    }

    /** Every instance failed: their own 401/403 if that is what they all said, else 502 with reasons. */
    private static Reply allFailed(MergeReport report) {
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
