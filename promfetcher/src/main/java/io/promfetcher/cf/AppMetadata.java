package io.promfetcher.cf;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.api.ScrapePreferences;
import io.promfetcher.routes.LogLimiter;
import io.promfetcher.routes.RouteSource;
import io.promfetcher.routes.SourceHealth;
import io.promfetcher.scrape.MetricPath;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What apps say about themselves in the Cloud Controller, read with the gateway's own token every
 * {@code cf.metadata_refresh}: the annotations {@value #PATH} (the app's metrics path) and
 * {@value #SCRAPE} ({@code "false"} leaves it out of {@code /v1/sd}), and each app's web process
 * GUIDs (for its container stats). Answers from memory; each refresh replaces what is known as a
 * whole, so an annotation removed in the Cloud Controller is gone after the next refresh.
 *
 * <p>When a refresh fails, what the last successful one read stays in force (an app that opted
 * out does not flip back because the Cloud Controller blinked); apps never read have today's
 * defaults. The failure shows in the {@code /ready} detail (the source stays ready: defaults are a
 * working state, and a not-ready source would make unknown apps answer 503) and in
 * {@code promfetcher_cf_metadata_up}.
 */
public final class AppMetadata implements RouteSource, ScrapePreferences {
    private static final Logger LOG = LoggerFactory.getLogger(AppMetadata.class);
    public static final String PATH = "prometheus.io/path";
    public static final String SCRAPE = "prometheus.io/scrape";

    /** What one app said; absent parts were not said (or said wrongly: logged). */
    record Said(Optional<Preference<MetricPath>> path, Optional<Preference<Boolean>> scrape) {}

    /** @param read how many apps the last successful refresh read; {@code apps} holds those that said something */
    private record Known(Map<String, Said> apps, Map<String, List<String>> webProcesses, int read) {}

    private final CloudController cc;
    private final Duration refresh;
    private final LogLimiter logs = new LogLimiter(LOG, System::nanoTime, TimeUnit.MINUTES.toNanos(5));
    private final Counter invalid;
    private volatile Known known = new Known(Map.of(), Map.of(), 0);
    private volatile boolean up;
    private volatile long lastSuccessNanos = Long.MIN_VALUE;
    private volatile String problem = "not read yet";
    private volatile ScheduledFuture<?> schedule;
    private final java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();

    public AppMetadata(CloudController cc, Duration refresh, PrometheusRegistry registry) {
        this.cc = cc;
        this.refresh = refresh;
        GaugeWithCallback.builder().name("promfetcher_cf_metadata_up")
                .help("1 when the last read of the apps' annotations and processes from the Cloud Controller succeeded, else 0 (apps never read get the defaults).")
                .callback(cb -> cb.call(up ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("promfetcher_cf_metadata_apps")
                .help("Apps whose Cloud Controller metadata the last successful read returned.")
                .callback(cb -> cb.call(known.read())).register(registry);
        GaugeWithCallback.builder().name("promfetcher_cf_metadata_age_seconds")
                .help("Seconds since the apps' metadata was last read successfully (-1 before the first success).")
                .callback(cb -> cb.call(lastSuccessNanos == Long.MIN_VALUE ? -1 : (System.nanoTime() - lastSuccessNanos) / 1e9))
                .register(registry);
        invalid = Counter.builder().name("promfetcher_cf_annotations_invalid_total")
                .help("prometheus.io/* annotation values ignored because they are not valid, by annotation.")
                .labelNames("annotation").register(registry);
    }

    @Override
    public String name() {
        return "cf-metadata";
    }

    @Override
    public void start() {
        schedule = cc.timer().scheduleWithFixedDelay(() -> {
            if (refreshing.compareAndSet(false, true)) { // a slow refresh is not overtaken by the next
                refreshNow().whenComplete((done, e) -> refreshing.set(false));
            }
        }, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public SourceHealth health() {
        if (up) {
            return new SourceHealth(true, "metadata of " + known.read() + " apps read ("
                    + known.apps().size() + " with prometheus.io annotations) "
                    + (System.nanoTime() - lastSuccessNanos) / 1_000_000_000L + " s ago");
        }
        return new SourceHealth(true, "app metadata unavailable (" + problem + "): "
                + (lastSuccessNanos == Long.MIN_VALUE ? "every app gets the default metric path and is listed"
                        : "the annotations read " + (System.nanoTime() - lastSuccessNanos) / 1_000_000_000L + " s ago stay in force"));
    }

    @Override
    public Optional<Preference<MetricPath>> metricPath(String appGuid) {
        Said said = known.apps().get(appGuid);
        return said == null ? Optional.empty() : said.path();
    }

    @Override
    public Optional<Preference<Boolean>> scrape(String appGuid) {
        Said said = known.apps().get(appGuid);
        return said == null ? Optional.empty() : said.scrape();
    }

    /** The app's web process GUIDs as last read; empty when unknown. */
    List<String> webProcesses(String appGuid) {
        return known.webProcesses().getOrDefault(appGuid, List.of());
    }

    /** One refresh; runs on the controller's timer thread, completes in the background. */
    CompletableFuture<Void> refreshNow() {
        CompletableFuture<Map<String, Map<String, String>>> annotations = cc.annotations();
        CompletableFuture<Map<String, List<String>>> processes = cc.webProcesses();
        return annotations.thenCombine(processes, (a, p) -> {
            Map<String, Said> apps = new HashMap<>();
            a.forEach((guid, values) -> {
                Said said = read(guid, values);
                if (said.path().isPresent() || said.scrape().isPresent()) {
                    apps.put(guid, said);
                }
            });
            known = new Known(Map.copyOf(apps), Map.copyOf(p), a.size());
            return a.size();
        }).handle((apps, failure) -> {
            if (failure == null) {
                if (!up) {
                    LOG.info("app metadata read from the Cloud Controller: {} apps, {} with prometheus.io annotations",
                            apps, known.apps().size());
                }
                up = true;
                lastSuccessNanos = System.nanoTime();
                problem = "";
            } else {
                CapiException c = CapiException.of(failure);
                if (up || problem.equals("not read yet")) {
                    LOG.warn("cannot read app metadata from the Cloud Controller: {} ({}); {}", c.reason(), c.getMessage(),
                            known.apps().isEmpty() ? "apps get the default metric path" : "the last annotations read stay in force");
                }
                up = false;
                problem = c.reason();
            }
            return null;
        });
    }

    private Said read(String guid, Map<String, String> annotations) {
        Optional<Preference<MetricPath>> path = Optional.empty();
        String rawPath = annotations.get(PATH);
        if (rawPath != null) {
            try {
                path = Optional.of(new Preference<>(MetricPath.validate(rawPath.strip()), "annotation " + PATH));
            } catch (IllegalArgumentException e) {
                invalid.labelValues(PATH).inc();
                logs.warn(guid + PATH, "app {}: annotation {} ignored: {}", guid, PATH, e.getMessage());
            }
        }
        Optional<Preference<Boolean>> scrape = Optional.empty();
        String rawScrape = annotations.get(SCRAPE);
        if (rawScrape != null) {
            switch (rawScrape.strip().toLowerCase(Locale.ROOT)) {
                case "false" -> scrape = Optional.of(new Preference<>(false, "annotation " + SCRAPE));
                case "true" -> scrape = Optional.of(new Preference<>(true, "annotation " + SCRAPE));
                default -> {
                    invalid.labelValues(SCRAPE).inc();
                    logs.warn(guid + SCRAPE, "app {}: annotation {} ignored: \"{}\" is not \"true\" or \"false\"", guid, SCRAPE,
                            CapiException.oneLine(rawScrape));
                }
            }
        }
        return new Said(path, scrape);
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }
}
