package io.promfetcher.broker;

import io.promfetcher.api.ScrapePreferences;
import io.promfetcher.scrape.MetricPath;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What bound apps said about being scraped, in memory: each app's newest binding (a second
 * binding of an app replaces the first's settings; unbinding the newest brings back the one
 * before). Scrapes read it on the event loop without touching the database; the broker replaces
 * it whole when the database says the bindings changed, and never with an older copy.
 */
final class BoundApps implements ScrapePreferences {
    /** The bindings in force at one change-counter value. */
    record Snapshot(long version, Map<String, BindingStore.Bound> byApp, int bindings, long loadedAtNanos) {
        static final Snapshot NOT_LOADED = new Snapshot(-1, Map.of(), 0, 0);

        boolean loaded() {
            return version >= 0;
        }
    }

    private final AtomicReference<Snapshot> current = new AtomicReference<>(Snapshot.NOT_LOADED);

    @Override
    public Optional<Preference<MetricPath>> metricPath(String appGuid) {
        BindingStore.Bound bound = current.get().byApp().get(appGuid);
        return bound == null ? Optional.empty()
                : bound.parameters().endpoint().map(path -> new Preference<>(path, source(bound)));
    }

    @Override
    public Optional<Preference<Boolean>> scrape(String appGuid) {
        BindingStore.Bound bound = current.get().byApp().get(appGuid);
        return bound == null ? Optional.empty()
                : bound.parameters().scrape().map(scrape -> new Preference<>(scrape, source(bound)));
    }

    private static String source(BindingStore.Bound bound) {
        return "service binding " + bound.bindingId();
    }

    Snapshot snapshot() {
        return current.get();
    }

    /** Whether the database has moved past what is loaded. */
    boolean isBehind(long version) {
        Snapshot s = current.get();
        return !s.loaded() || version > s.version();
    }

    /** Puts the store's contents in force unless a newer copy already is (two threads may load at once). */
    void install(BindingStore.Contents contents, long nowNanos) {
        Map<String, BindingStore.Bound> byApp = new HashMap<>();
        for (BindingStore.Bound b : contents.bindings()) {
            byApp.merge(b.appGuid(), b, (x, y) -> x.version() >= y.version() ? x : y);
        }
        Snapshot next = new Snapshot(contents.version(), Map.copyOf(byApp), contents.bindings().size(), nowNanos);
        current.accumulateAndGet(next, (old, fresh) -> !old.loaded() || fresh.version() >= old.version() ? fresh : old);
    }
}
