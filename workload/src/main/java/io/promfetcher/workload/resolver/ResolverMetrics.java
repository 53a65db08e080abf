package io.promfetcher.workload.resolver;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/** The resolver's series; the first two keep the original example's names. */
final class ResolverMetrics {
    final Counter resolved;
    final Gauge lastDuration;
    final Histogram duration;
    final Histogram hops;
    final Counter outcomes;
    final Counter cacheHits;
    final Counter cacheMisses;

    ResolverMetrics(PrometheusRegistry registry) {
        resolved = Counter.builder()
                .name("resolver_urls_resolved_total")
                .help("URLs whose final (or fallback) URL was scored in the hotlist")
                .register(registry);
        lastDuration = Gauge.builder()
                .name("resolver_url_resolve_last_duration_seconds")
                .help("Time spent on the last URL: cache look-up, redirects and scoring")
                .unit(Unit.SECONDS)
                .register(registry);
        duration = Histogram.builder()
                .name("resolver_url_resolve_duration_seconds")
                .help("Time spent per URL: cache look-up, redirects and scoring")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        hops = Histogram.builder()
                .name("resolver_redirect_hops")
                .help("Redirects followed per URL resolved over HTTP")
                .classicOnly()
                .classicUpperBounds(0, 1, 2, 3, 4, 5, 10, 20, 30)
                .register(registry);
        outcomes = Counter.builder()
                .name("resolver_url_outcomes_total")
                .help("URLs taken from the inbox by outcome (resolved, cached, fallback, dropped) and reason")
                .labelNames("outcome", "reason")
                .register(registry);
        cacheHits = Counter.builder()
                .name("resolver_cache_hits_total")
                .help("URLs whose final URL was found in the url_handled:* cache")
                .register(registry);
        cacheMisses = Counter.builder()
                .name("resolver_cache_misses_total")
                .help("URLs resolved over HTTP because the cache had no answer")
                .register(registry);
    }
}
