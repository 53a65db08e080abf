package io.promfetcher.cf;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promfetcher.api.CallerAuthorization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code auth.mode: cf}: the caller may read an app when the Cloud Controller, asked with the
 * caller's own token, shows it the app ({@code GET /v3/apps/{guid}}); {@code /v1/sd} lists the
 * apps {@code GET /v3/apps} shows it.
 *
 * <p>Decisions (allowed, forbidden, unauthorized) are kept per (token digest, app) for
 * {@code auth.cache_ttl}, never past the token's expiry; concurrent requests for one pair share
 * one Cloud Controller call. When the Cloud Controller cannot answer, a decision kept from before
 * is used while the token is valid (at most {@link #STALE_LIMIT} for tokens that say no expiry);
 * without one the caller gets 503 — never access. An app listed by {@code /v1/sd} for a token
 * counts as a fresh "allowed" for that token, so the usual Prometheus flow (discover, then
 * scrape every app with the same token) costs one list per TTL, not one call per app.
 */
public final class TokenAuthorization implements CallerAuthorization {
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthorization.class);
    /** Oldest decision used while the Cloud Controller is down, for tokens without {@code exp}. */
    static final Duration STALE_LIMIT = Duration.ofHours(1);
    /** Beyond this many kept decisions, expired ones are dropped, then all (a flood of random tokens). */
    static final int MAX_ENTRIES = 100_000;
    private static final String ALL_APPS = "*";

    private record Key(String digest, String app) {}

    /** A decision, or for {@link #ALL_APPS} the visible set; fresh until {@code freshUntil}, usable when stale until {@code usableUntil}. */
    private record Entry(Decision decision, Set<String> visible, Instant freshUntil, Instant usableUntil) {}

    private final CloudController cc;
    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentHashMap<Key, Entry> decisions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, CompletableFuture<Entry>> inFlight = new ConcurrentHashMap<>();
    private final Counter counted;

    public TokenAuthorization(CloudController cc, Duration ttl, Clock clock, PrometheusRegistry registry) {
        this.cc = cc;
        this.ttl = ttl;
        this.clock = clock;
        this.counted = Counter.builder().name("promfetcher_auth_decisions_total")
                .help("Caller authorization decisions (auth.mode cf), by decision and source (cache, cloud_controller, stale, token).")
                .labelNames("decision", "source").register(registry);
    }

    @Override
    public CompletionStage<Decision> app(Optional<String> authorization, String appGuid) {
        Optional<String> token = Tokens.bearer(authorization);
        if (token.isEmpty()) {
            return done(Decision.UNAUTHORIZED, "token");
        }
        Optional<Instant> expiry = Tokens.expiry(token.get());
        if (expiry.isPresent() && !expiry.get().isAfter(clock.instant())) {
            return done(Decision.UNAUTHORIZED, "token"); // the Cloud Controller would refuse it too
        }
        Key key = new Key(Tokens.digest(token.get()), appGuid);
        return decide(key, expiry, () -> cc.appVisibleTo(token.get(), appGuid)
                .thenApply(visible -> entry(visible ? Decision.ALLOWED : Decision.FORBIDDEN, Set.of(), expiry)))
                .thenApply(Entry::decision);
    }

    @Override
    public CompletionStage<Visible> visible(Optional<String> authorization, Collection<String> appGuids) {
        Optional<String> token = Tokens.bearer(authorization);
        if (token.isEmpty()) {
            return CompletableFuture.completedFuture(new Visible(done(Decision.UNAUTHORIZED, "token").join(), Set.of()));
        }
        Optional<Instant> expiry = Tokens.expiry(token.get());
        if (expiry.isPresent() && !expiry.get().isAfter(clock.instant())) {
            return CompletableFuture.completedFuture(new Visible(done(Decision.UNAUTHORIZED, "token").join(), Set.of()));
        }
        String digest = Tokens.digest(token.get());
        return decide(new Key(digest, ALL_APPS), expiry, () -> cc.appsVisibleTo(token.get()).thenApply(guids -> {
            Entry listed = entry(Decision.ALLOWED, guids, expiry);
            for (String guid : guids) {
                decisions.put(new Key(digest, guid), new Entry(Decision.ALLOWED, Set.of(), listed.freshUntil(), listed.usableUntil()));
            }
            return listed;
        })).thenApply(e -> {
            if (e.decision() != Decision.ALLOWED) {
                return new Visible(e.decision(), Set.of());
            }
            Set<String> asked = new HashSet<>(appGuids);
            asked.retainAll(e.visible());
            return new Visible(Decision.ALLOWED, asked);
        });
    }

    /** The kept decision when fresh, else one Cloud Controller call shared by everyone asking now. */
    private CompletableFuture<Entry> decide(Key key, Optional<Instant> expiry, Supplier<CompletableFuture<Entry>> ask) {
        Instant now = clock.instant();
        Entry kept = decisions.get(key);
        if (kept != null && now.isBefore(kept.freshUntil())) {
            counted.labelValues(label(kept.decision()), "cache").inc();
            return CompletableFuture.completedFuture(kept);
        }
        CompletableFuture<Entry> mine = new CompletableFuture<>();
        CompletableFuture<Entry> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        Entry settled = decisions.get(key); // decided by a call that finished between our look and our claim
        if (settled != null && settled != kept && clock.instant().isBefore(settled.freshUntil())) {
            inFlight.remove(key, mine);
            mine.complete(settled);
            counted.labelValues(label(settled.decision()), "cache").inc();
            return mine;
        }
        ask.get().handle((entry, failure) -> {
            Entry answer;
            String source = "cloud_controller";
            if (failure == null) {
                answer = entry;
                keep(key, entry);
            } else {
                CapiException c = CapiException.of(failure);
                if (c.status() == 401) {
                    answer = entry(Decision.UNAUTHORIZED, Set.of(), expiry);
                    keep(key, answer);
                } else {
                    Entry stale = decisions.get(key);
                    if (stale != null && clock.instant().isBefore(stale.usableUntil())) {
                        answer = stale;
                        source = "stale";
                    } else {
                        answer = new Entry(Decision.UNAVAILABLE, Set.of(), Instant.MIN, Instant.MIN);
                    }
                    LOG.warn("cannot check a caller's access to {}: Cloud Controller {} ({}); answering {}",
                            key.app().equals(ALL_APPS) ? "the app list" : "app " + key.app(), c.reason(), c.getMessage(),
                            source.equals("stale") ? "with the decision kept from before" : "503");
                }
            }
            counted.labelValues(label(answer.decision()), source).inc();
            inFlight.remove(key, mine);
            mine.complete(answer);
            return null;
        });
        return mine;
    }

    private Entry entry(Decision decision, Set<String> visible, Optional<Instant> expiry) {
        Instant now = clock.instant();
        Instant fresh = now.plus(ttl);
        Instant usable = expiry.orElse(now.plus(STALE_LIMIT));
        return new Entry(decision, visible, expiry.filter(fresh::isAfter).orElse(fresh), usable);
    }

    private void keep(Key key, Entry entry) {
        if (decisions.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            decisions.values().removeIf(e -> !now.isBefore(e.usableUntil()));
            if (decisions.size() >= MAX_ENTRIES) {
                LOG.warn("{} caller authorization decisions kept; forgetting them all", decisions.size());
                decisions.clear();
            }
        }
        decisions.put(key, entry);
    }

    private CompletableFuture<Decision> done(Decision decision, String source) {
        counted.labelValues(label(decision), source).inc();
        return CompletableFuture.completedFuture(decision);
    }

    private static String label(Decision d) {
        return d.name().toLowerCase(java.util.Locale.ROOT);
    }
}
