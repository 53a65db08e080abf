package io.promfetcher.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.exposition.ExpositionFormat;
import io.promfetcher.exposition.Negotiation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /metrics}: the gateway's own metrics (JVM, HTTP, routes, scrapes), in the format
 * the caller's Accept header prefers.
 */
public final class MetricsEndpoint implements Endpoint {
    private final PrometheusRegistry registry;
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.builder()
            .setCreatedTimestampsEnabled(false).setExemplarsOnAllMetricTypesEnabled(false).build();

    private final ExpositionFormatWriter protobuf = new io.prometheus.metrics.expositionformats.PrometheusProtobufWriter();

    public MetricsEndpoint(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        ExpositionFormat format = Negotiation.choose(request.header("Accept").orElse(null));
        ExpositionFormatWriter writer = switch (format) {
            case OPENMETRICS_TEXT -> openMetrics;
            case PROTOBUF -> protobuf;
            case PROMETHEUS_TEXT -> text;
        };
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer(16 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException | RuntimeException e) {
            body.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        return CompletableFuture.completedFuture(Reply.of(HttpResponseStatus.OK, format.contentType(), body));
    }
}
