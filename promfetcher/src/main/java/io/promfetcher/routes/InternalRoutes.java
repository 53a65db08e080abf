package io.promfetcher.routes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Apps that route-emitter announces on internal routes (container-to-container service discovery,
 * {@code *.apps.internal}), from {@code service-discovery.register} / {@code .unregister}. The
 * gateway cannot scrape through these (they carry the container's overlay address and no port,
 * and no org/space/app names), but knowing them lets it say "this app has only internal routes"
 * when an app is missing. Entries not re-announced within the stale threshold are ignored and
 * then dropped, like the route table's.
 *
 * <p>Bounded: at most {@link #MAX_APPS} apps, {@link #MAX_ADDRESSES_PER_APP} container addresses
 * and {@link #MAX_HOSTNAMES_PER_APP} hostnames per app; beyond, new ones are not remembered.
 * Thread-safe.
 */
public final class InternalRoutes {
    public static final int MAX_APPS = 50_000;
    public static final int MAX_ADDRESSES_PER_APP = 1_000;
    public static final int MAX_HOSTNAMES_PER_APP = 32;

    /**
     * An app seen on internal routes.
     *
     * @param hostnames    its internal hostnames (without the per-index {@code 0.host} forms)
     * @param instances    container addresses announced within the stale threshold
     * @param sinceRefresh time since the newest announcement
     */
    public record InternalApp(String appGuid, List<String> hostnames, int instances, Duration sinceRefresh) {
        public InternalApp {
            hostnames = List.copyOf(hostnames);
        }
    }

    private final LongSupplier nanoClock;
    private final long staleNanos;
    private final Map<String, Entry> byApp = new HashMap<>();

    private static final class Entry {
        final Set<String> hostnames = new LinkedHashSet<>();
        final Map<String, Long> lastSeenByAddress = new HashMap<>();
    }

    public InternalRoutes(LongSupplier nanoClock, Duration staleThreshold) {
        this.nanoClock = nanoClock;
        this.staleNanos = staleThreshold.toNanos();
    }

    /** Applies a {@code service-discovery.register}; messages without an app GUID are ignored. */
    public synchronized void register(Registration r) {
        String app = r.appGuid();
        if (app.isEmpty()) {
            return;
        }
        long now = nanoClock.getAsLong();
        Entry entry = byApp.get(app);
        if (entry == null) {
            if (byApp.size() >= MAX_APPS) {
                dropExpired(now);
                if (byApp.size() >= MAX_APPS) {
                    return;
                }
            }
            entry = new Entry();
            byApp.put(app, entry);
        }
        for (String uri : r.uris()) {
            String host = uri.toLowerCase(Locale.ROOT);
            if (!isIndexForm(host, r.instanceIndex()) && entry.hostnames.size() < MAX_HOSTNAMES_PER_APP) {
                entry.hostnames.add(host);
            }
        }
        if (entry.lastSeenByAddress.containsKey(r.host()) || entry.lastSeenByAddress.size() < MAX_ADDRESSES_PER_APP) {
            entry.lastSeenByAddress.put(r.host(), now);
        }
    }

    /** Applies a {@code service-discovery.unregister}: the container address is gone. */
    public synchronized void unregister(Registration r) {
        Entry entry = byApp.get(r.appGuid());
        if (entry != null) {
            entry.lastSeenByAddress.remove(r.host());
            if (entry.lastSeenByAddress.isEmpty()) {
                byApp.remove(r.appGuid());
            }
        }
    }

    /** The app with this GUID, if it has live internal routes. */
    public synchronized Optional<InternalApp> byAppGuid(String appGuid) {
        Entry entry = byApp.get(appGuid);
        return entry == null ? Optional.empty() : view(appGuid, entry, nanoClock.getAsLong());
    }

    /** Apps with live internal routes, in no particular order. */
    public synchronized List<InternalApp> all() {
        long now = nanoClock.getAsLong();
        List<InternalApp> apps = new ArrayList<>();
        byApp.forEach((guid, entry) -> view(guid, entry, now).ifPresent(apps::add));
        return apps;
    }

    private Optional<InternalApp> view(String guid, Entry entry, long now) {
        int live = 0;
        long newest = Long.MIN_VALUE;
        for (long seen : entry.lastSeenByAddress.values()) {
            if (now - seen <= staleNanos) {
                live++;
            }
            newest = Math.max(newest, seen);
        }
        if (live == 0) {
            return Optional.empty();
        }
        return Optional.of(new InternalApp(guid, new ArrayList<>(entry.hostnames), live, Duration.ofNanos(Math.max(0, now - newest))));
    }

    private void dropExpired(long now) {
        byApp.values().forEach(e -> e.lastSeenByAddress.values().removeIf(seen -> now - seen > staleNanos));
        byApp.values().removeIf(e -> e.lastSeenByAddress.isEmpty());
    }

    /** route-emitter announces "host" and "{index}.host" for each internal route: keep "host". */
    private static boolean isIndexForm(String uri, String index) {
        return !index.isEmpty() && uri.startsWith(index + ".");
    }
}
