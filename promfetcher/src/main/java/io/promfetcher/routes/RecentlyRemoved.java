package io.promfetcher.routes;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What recently left the route table, so "why is my app missing" can say "pruned at 10:02, last
 * announced at 10:00" instead of "unknown". Fed by {@link RouteTable#onRemoval}; kept outside the
 * table and bounded: the apps with the newest removals ({@link #MAX_APPS}), and for each the newest
 * {@link #MAX_INSTANCES_PER_APP} instances. Thread-safe; writers are the table's writers (one at a
 * time), readers the explanation and status pages.
 */
public final class RecentlyRemoved implements Consumer<Removal> {
    /** Apps remembered; beyond it the app whose last removal is oldest is forgotten. */
    public static final int MAX_APPS = 2_000;
    /** Instances remembered per app (a cell failure removes many instances of many apps at once). */
    public static final int MAX_INSTANCES_PER_APP = 16;

    /** One instance that left, with wall-clock times. {@code lastSeen} is its last announcement. */
    public record RemovedInstance(Instance instance, Removal.Cause cause, Instant removedAt, Instant lastSeen) {}

    /** An app with the instances it lost, newest first. */
    public record RemovedApp(AppIdentity app, List<RemovedInstance> instances) {
        public RemovedApp {
            instances = List.copyOf(instances);
        }

        /** The newest removal. */
        public RemovedInstance latest() {
            return instances.get(0);
        }
    }

    private final Clock clock;
    // Access order is not used: order of last removal, oldest first, so the eldest is the one to forget.
    private final LinkedHashMap<String, Entry> byApp = new LinkedHashMap<>();

    private static final class Entry {
        AppIdentity app;
        final ArrayList<RemovedInstance> instances = new ArrayList<>();
    }

    public RecentlyRemoved(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void accept(Removal removal) {
        Instant now = clock.instant();
        RemovedInstance gone = new RemovedInstance(removal.instance(), removal.cause(), now,
                now.minus(removal.instance().sinceRefresh()));
        String appId = removal.app().appId();
        synchronized (byApp) {
            Entry entry = byApp.remove(appId); // re-inserted: newest last
            if (entry == null) {
                entry = new Entry();
            }
            entry.app = removal.app();
            entry.instances.add(0, gone);
            if (entry.instances.size() > MAX_INSTANCES_PER_APP) {
                entry.instances.remove(entry.instances.size() - 1);
            }
            byApp.put(appId, entry);
            while (byApp.size() > MAX_APPS) {
                Map.Entry<String, Entry> eldest = byApp.entrySet().iterator().next();
                byApp.remove(eldest.getKey());
            }
        }
    }

    /** The app with this GUID, if it lost instances recently. */
    public Optional<RemovedApp> byAppGuid(String appGuid) {
        synchronized (byApp) {
            Entry entry = byApp.get(appGuid);
            return entry == null ? Optional.empty() : Optional.of(new RemovedApp(entry.app, entry.instances));
        }
    }

    /** Every remembered app, the newest removal first. */
    public List<RemovedApp> all() {
        List<RemovedApp> apps = new ArrayList<>();
        synchronized (byApp) {
            for (Entry entry : byApp.values()) {
                apps.add(new RemovedApp(entry.app, entry.instances));
            }
        }
        java.util.Collections.reverse(apps);
        return apps;
    }
}
