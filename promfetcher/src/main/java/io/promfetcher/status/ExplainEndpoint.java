package io.promfetcher.status;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.promfetcher.api.AppMetricsRequest;
import io.promfetcher.api.AppSelector;
import io.promfetcher.api.Endpoint;
import io.promfetcher.api.Reply;
import io.promfetcher.api.StreamedBody;
import io.promfetcher.api.Request;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /v1/apps/{org}/{space}/{app}/explain} and every other app form ({@code {app_guid}},
 * {@code {route_host}}, {@code explain?app=…}, {@code explain?route_url=…}, {@code /v2}): why the
 * app resolves the way it does. JSON by default; a page for browsers ({@code Accept: text/html})
 * or with {@code ?format=html}. Instances are contacted only with {@code ?scrape=true}: then the
 * app is scraped once through the same pipeline Prometheus uses (as {@code only-app-metrics},
 * with {@code metric_path} if given, without the caller's headers: the caller's credentials here
 * are the operator's, not the app's), and the explanation includes that scrape.
 */
public final class ExplainEndpoint implements Endpoint {
    static final String SUFFIX = "explain";
    /** Parameters of the app forms that carry over to the scrape and to links. */
    private static final List<String> APP_PARAMETERS = List.of("app", "route_url", "metric_path");

    private final Explainer explainer;
    private final Endpoint appMetrics;
    private final String version;
    private final Clock clock;

    public ExplainEndpoint(Explainer explainer, Endpoint appMetrics, String version, Clock clock) {
        this.explainer = explainer;
        this.appMetrics = appMetrics;
        this.version = version;
        this.clock = clock;
    }

    /** Whether a path under {@code /v1/apps/} asks for an explanation rather than metrics. */
    public static boolean matches(String rawPath) {
        return (rawPath.startsWith("/v1/apps/") || rawPath.startsWith("/v2/apps/")) && rawPath.endsWith("/" + SUFFIX);
    }

    /** One endpoint for the app paths: explanations go to {@code explain}, everything else to {@code metrics}. */
    public static Endpoint beside(Endpoint explain, Endpoint metrics) {
        return request -> matches(request.rawPath()) ? explain.handle(request) : metrics.handle(request);
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        AppSelector selector;
        try {
            selector = AppMetricsRequest.selector(request, SUFFIX);
        } catch (AppMetricsRequest.BadRequest e) {
            return CompletableFuture.completedFuture(Reply.text(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        }
        Explanation explanation = explainer.explain(selector);
        boolean scrape = request.queryParameter("scrape").map(v -> v.equals("true") || v.equals("1")).orElse(false);
        if (!scrape || !explanation.code().resolved()) {
            return CompletableFuture.completedFuture(answer(request, explanation));
        }
        return appMetrics.handle(scrapeRequest(request)).handle((reply, error) -> {
            Explanation.ScrapeAttempt attempt = error != null
                    ? new Explanation.ScrapeAttempt(500, "the scrape failed inside the gateway; see its log")
                    : attempt(reply);
            // Explained again: the scrape has just become the app's last one.
            return answer(request, explainer.explain(selector).withScrape(attempt));
        });
    }

    /** What the scrape answered; its body is released here, and any memory it held given back. */
    private static Explanation.ScrapeAttempt attempt(Reply reply) {
        try {
            String message = reply.status().code() == 200 || !reply.contentType().startsWith("text/plain")
                    ? "" : reply.body().toString(StandardCharsets.UTF_8).strip();
            return new Explanation.ScrapeAttempt(reply.status().code(), message);
        } finally {
            reply.body().release();
            reply.stream().ifPresent(StreamedBody::drain);
            reply.written().run();
        }
    }

    private static Request scrapeRequest(Request request) {
        String path = request.rawPath();
        QueryStringEncoder uri = new QueryStringEncoder(path.substring(0, path.length() - SUFFIX.length()) + "only-app-metrics");
        for (String name : APP_PARAMETERS) {
            for (String value : request.query().getOrDefault(name, List.of())) {
                uri.addParam(name, value);
            }
        }
        try {
            return Request.of("GET", uri.toString(), new DefaultHttpHeaders(), request.remote());
        } catch (Request.MalformedTarget e) {
            throw new IllegalStateException("a target built from a parsed request is readable", e);
        }
    }

    private Reply answer(Request request, Explanation explanation) {
        if (Html.wantsHtml(request)) {
            return Html.reply(HttpResponseStatus.OK, ExplanationPage.render(explanation, self(request), version, clock));
        }
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer(4096);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            ExplanationJson.write(explanation, out);
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException(e);
        }
        return Reply.of(HttpResponseStatus.OK, "application/json; charset=utf-8", body)
                .withHeader("Vary", "Accept").withNote("code=" + explanation.code().label());
    }

    /** This explanation's path and app parameters, ready for one more parameter. */
    private static String self(Request request) {
        QueryStringEncoder uri = new QueryStringEncoder(request.rawPath());
        for (String name : APP_PARAMETERS) {
            for (String value : request.query().getOrDefault(name, List.of())) {
                uri.addParam(name, value);
            }
        }
        String s = uri.toString();
        return s + (s.contains("?") ? "&" : "?");
    }
}
