package io.promfetcher.routes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The in-memory route table: every endpoint announced on NATS, indexed for O(1) lookups by app
 * GUID, by org/space/app names and by route, and pruned when announcements stop.
 *
 * <p>One entry per instance: (app GUID, instance GUID), or (app GUID, host:port) when an emitter
 * sends no instance GUID, however many routes it is announced under. BOSH components (no app GUID)
 * are keyed by host:port, kept for {@code /routes}, and never returned by lookups.
 *
 * <p>Concurrency: a refresh of a known endpoint (the bulk of the traffic: every instance is
 * re-announced every register interval) is lock-free, a volatile write of its last-seen time.
 * Structural changes (new endpoint, new route, removal) take one lock held by writers only. Readers
 * never lock: they read concurrent maps and per-app immutable instance arrays that writers replace
 * whole, so each app's instance list is always consistent.
 *
 * <p>Time comes from an injected nanosecond clock so pruning is testable without sleeping.
 */
public final class RouteTable {
    private static final Endpoint[] NO_ENDPOINTS = new Endpoint[0];
    private static final String[] SMALL_INDEXES = new String[256];

    static {
        for (int i = 0; i < SMALL_INDEXES.length; i++) {
            SMALL_INDEXES[i] = Integer.toString(i);
        }
    }

    /**
     * What the table may hold, so that announcements (anyone who can publish on NATS) cannot fill
     * the heap: routes per instance, instances per app and endpoints in all. What goes beyond is
     * refused and reported ({@link MalformedReason}); what is known stays.
     */
    public record Limits(int maxUrisPerInstance, int maxInstancesPerApp, int maxEndpoints) {
        /** Generous limits for tests and tools. */
        public static final Limits GENEROUS = new Limits(1024, 100_000, 10_000_000);

        public Limits {
            if (maxUrisPerInstance < 1 || maxInstancesPerApp < 1 || maxEndpoints < 1) {
                throw new IllegalArgumentException("route table limits must be at least 1");
            }
        }

        /** The limit on endpoints {@code routes.max_instances} asks for: its value, or one per KiB of a quarter of the heap. */
        public static int maxEndpointsFor(int configured) {
            return configured > 0 ? configured : (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 4 / 1024);
        }
    }

    private final LongSupplier nanoClock;
    private final long staleCapNanos;
    private final BooleanSupplier warmingUp;
    private final Limits limits;

    // Read side: lock-free.
    private final ConcurrentHashMap<EndpointKey, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AppEntry> appsByGuid = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<NameKey, AppEntry[]> appsByName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AppEntry[]> appsByRoute = new ConcurrentHashMap<>();

    // Write side: only touched while holding `lock`.
    private final Object lock = new Object();
    private final HashMap<Address, Endpoint> byAddress = new HashMap<>();
    private final HashMap<String, RouteRefs> routeRefs = new HashMap<>();
    private final HashMap<String, String> interned = new HashMap<>();

    private volatile int appInstances;
    private volatile int components;
    private volatile int routes;
    private volatile long lastAnnouncementNanos;
    private volatile boolean announced;
    private volatile Consumer<Removal> removals = removal -> {};

    /**
     * @param nanoClock      monotonic nanoseconds ({@code System::nanoTime} in production)
     * @param staleThreshold default and cap of the per-message stale threshold (120 s in production)
     * @param warmingUp      true while the table may be incomplete: misses answer {@link Lookup.WarmingUp}
     */
    public RouteTable(LongSupplier nanoClock, Duration staleThreshold, BooleanSupplier warmingUp) {
        this(nanoClock, staleThreshold, warmingUp, Limits.GENEROUS);
    }

    /** @param limits what the table may hold; beyond it, announcements are refused */
    public RouteTable(LongSupplier nanoClock, Duration staleThreshold, BooleanSupplier warmingUp, Limits limits) {
        if (staleThreshold.isNegative() || staleThreshold.isZero()) {
            throw new IllegalArgumentException("stale threshold must be positive: " + staleThreshold);
        }
        this.nanoClock = nanoClock;
        this.staleCapNanos = staleThreshold.toNanos();
        this.warmingUp = warmingUp;
        this.limits = limits;
    }

    /**
     * Tells {@code listener} of every app instance that is pruned or unregistered (not of BOSH
     * components), so what left the table can be explained later. Called under the table's write
     * lock: it must be quick and must not call back into the table.
     */
    public void onRemoval(Consumer<Removal> listener) {
        removals = listener;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Applies a {@code router.register}: adds the endpoint, adds routes to it, or refreshes it.
     *
     * @return what was refused to stay within the {@link Limits}, if anything: the whole message
     *     ({@link MalformedReason#TOO_MANY_INSTANCES}, {@link MalformedReason#TABLE_FULL}) or the
     *     routes beyond the limit ({@link MalformedReason#TOO_MANY_URIS}, the rest applied)
     */
    public Optional<MalformedReason> register(Registration r) {
        long now = nanoClock.getAsLong();
        noteAnnouncement(now);
        String appGuid = r.appGuid();
        EndpointKey key = EndpointKey.of(appGuid, r);
        long stale = staleNanos(r);
        Endpoint known = endpoints.get(key);
        if (known != null && known.refreshedBy(r, stale)) {
            known.lastSeen = now;
            if (!known.removed) {
                return Optional.empty(); // the common case: nothing changed but the time
            }
            // pruned between our read and our write: fall through and add it again
        }
        synchronized (lock) {
            return registerLocked(r, key, appGuid, stale, now);
        }
    }

    /**
     * Applies a {@code router.unregister}: removes the routes it names from the endpoint, and the
     * endpoint once it has none left (or at once when the message names no route).
     *
     * @return true when the message matched an endpoint
     */
    public boolean unregister(Registration r) {
        noteAnnouncement(nanoClock.getAsLong());
        String appGuid = r.appGuid();
        EndpointKey key = EndpointKey.of(appGuid, r);
        synchronized (lock) {
            Endpoint e = endpoints.get(key);
            if (e == null) {
                Endpoint atAddress = byAddress.get(new Address(r.host(), addressPort(r)));
                if (atAddress != null && atAddress.appId().equals(appGuid)
                        && (r.instanceGuid().isEmpty() || atAddress.instanceId.equals(r.instanceGuid()))) {
                    e = atAddress;
                }
            }
            if (e == null) {
                return false;
            }
            if (r.uris().isEmpty()) {
                detach(e);
                removed(e, Removal.Cause.UNREGISTERED);
                return true;
            }
            Set<String> remaining = new LinkedHashSet<>(Arrays.asList(e.uris));
            List<String> dropped = new ArrayList<>();
            for (String raw : r.uris()) {
                String uri = normalizeRoute(raw);
                if (remaining.remove(uri)) {
                    dropped.add(uri);
                }
            }
            if (remaining.isEmpty()) { // detach drops every route, and the removal still names them
                detach(e);
                removed(e, Removal.Cause.UNREGISTERED);
                return true;
            }
            for (String uri : dropped) {
                dropRoute(uri, e.app);
            }
            e.uris = remaining.toArray(String[]::new);
            return true;
        }
    }

    /**
     * Removes every endpoint not announced within its stale threshold. The caller decides whether
     * pruning is allowed at all (not while NATS is disconnected, nor in the grace period after).
     *
     * @return how many endpoints were removed
     */
    public int pruneStale() {
        long now = nanoClock.getAsLong();
        int pruned = 0;
        synchronized (lock) {
            for (Endpoint e : endpoints.values()) {
                if (now - e.lastSeen > e.staleNanos) {
                    // Mark first, then look again: a lock-free refresh writes lastSeen and then reads
                    // `removed`, so either we see its time here, or it sees the mark and re-applies
                    // itself under the lock. A refresh racing with its own pruning is never lost.
                    e.removed = true;
                    if (now - e.lastSeen > e.staleNanos) {
                        detachMarked(e);
                        removed(e, Removal.Cause.PRUNED);
                        pruned++;
                    } else {
                        e.removed = false;
                    }
                }
            }
        }
        return pruned;
    }

    private Optional<MalformedReason> registerLocked(Registration r, EndpointKey key, String appGuid, long stale, long now) {
        Endpoint existing = endpoints.get(key);
        Address address = new Address(intern(r.host()), addressPort(r));
        Endpoint atAddress = byAddress.get(address);
        if (existing == null && atAddress == null) { // a new endpoint, not one replacing another: within the limits?
            if (endpoints.size() >= limits.maxEndpoints()) {
                return Optional.of(MalformedReason.TABLE_FULL);
            }
            AppEntry known = appGuid.isEmpty() ? null : appsByGuid.get(appGuid);
            if (known != null && known.instances.length >= limits.maxInstancesPerApp()) {
                return Optional.of(MalformedReason.TOO_MANY_INSTANCES);
            }
        }
        if (atAddress != null && atAddress != existing) {
            // The address was reused: the instance that held it is gone (a cell hands the port of a
            // dead container to a new one). Never send one app's scrape to another app.
            detach(atAddress);
        }
        AppEntry app = appGuid.isEmpty() ? null : appFor(appGuid, r); // after eviction: it may drop an app
        if (existing != null && existing.sameAttributes(r, stale)) {
            Set<String> uris = new LinkedHashSet<>(Arrays.asList(existing.uris));
            boolean cut = false;
            for (String raw : r.uris()) {
                String uri = normalizeRoute(raw);
                if (!uris.contains(uri)) {
                    if (uris.size() >= limits.maxUrisPerInstance()) {
                        cut = true;
                        break;
                    }
                    uris.add(addRoute(uri, app));
                }
            }
            if (uris.size() != existing.uris.length) {
                existing.uris = uris.toArray(String[]::new);
            }
            existing.lastSeen = now;
            return cut ? Optional.of(MalformedReason.TOO_MANY_URIS) : Optional.empty();
        }
        // New endpoint, or a known one whose address, ports or TLS name changed: a new incarnation
        // that keeps the routes of the old one (newly announced routes first).
        Set<String> uris = new LinkedHashSet<>();
        boolean cut = false;
        for (String raw : r.uris()) {
            if (uris.size() >= limits.maxUrisPerInstance()) {
                cut = true;
                break;
            }
            uris.add(normalizeRoute(raw));
        }
        if (existing != null) {
            for (String uri : existing.uris) {
                if (uris.size() >= limits.maxUrisPerInstance()) {
                    break;
                }
                uris.add(uri);
            }
        }
        List<String> shared = new ArrayList<>(uris.size());
        for (String uri : uris) {
            shared.add(addRoute(uri, app));
        }
        String instanceId = r.instanceGuid();
        String san = r.serverCertDomainSan().equals(instanceId) ? instanceId : r.serverCertDomainSan();
        EndpointKey freshKey = key.instanceId().isEmpty()
                ? new EndpointKey(app == null ? "" : app.appId, "", address.host(), address.port())
                : new EndpointKey(app.appId, key.instanceId(), "", 0); // shares the app's GUID string
        Endpoint fresh = new Endpoint(freshKey, app, intern(r.tag("component")), instanceId, index(r.instanceIndex()), address.host(), r.port(),
                r.tlsPort(), san, intern(r.protocol()), intern(r.availabilityZone()), stale, address,
                shared.toArray(String[]::new), now);
        endpoints.put(fresh.key, fresh);
        byAddress.put(address, fresh);
        if (existing != null) {
            if (!existing.address.equals(address)) {
                byAddress.remove(existing.address, existing);
            }
            for (String uri : existing.uris) {
                dropRoute(uri, app);
            }
            existing.removed = true;
        } else if (app != null) {
            appInstances++;
        } else {
            components++;
        }
        if (app != null) {
            app.swap(existing, fresh);
        }
        return cut ? Optional.of(MalformedReason.TOO_MANY_URIS) : Optional.empty();
    }

    private AppEntry appFor(String appGuid, Registration r) {
        AppEntry app = appsByGuid.get(appGuid);
        if (app == null) {
            app = new AppEntry(appGuid, AppIdentity.of(r, appGuid));
            appsByGuid.put(appGuid, app);
            indexName(app);
        } else if (!r.tag("app_name").isEmpty() && !app.identityMatches(r)) {
            unindexName(app); // renamed (app, space or org): look-ups follow the new names
            app.identity = AppIdentity.of(r, app.appId);
            indexName(app);
        }
        return app;
    }

    private void detach(Endpoint e) {
        if (e.removed) {
            return;
        }
        e.removed = true;
        detachMarked(e);
    }

    private void detachMarked(Endpoint e) {
        endpoints.remove(e.key, e);
        byAddress.remove(e.address, e);
        for (String uri : e.uris) {
            dropRoute(uri, e.app);
        }
        if (e.app == null) {
            components--;
            return;
        }
        appInstances--;
        e.app.swap(e, null);
        if (e.app.instances.length == 0) {
            appsByGuid.remove(e.app.appId, e.app);
            unindexName(e.app);
        }
    }

    private void removed(Endpoint e, Removal.Cause cause) {
        if (e.app != null) {
            removals.accept(new Removal(e.app.identity, e.view(nanoClock.getAsLong()), cause));
        }
    }

    private String addRoute(String uri, AppEntry app) {
        RouteRefs refs = routeRefs.get(uri);
        if (refs == null) {
            refs = new RouteRefs(uri);
            routeRefs.put(uri, refs);
            routes = routeRefs.size();
        }
        if (app == null) {
            refs.components++;
        } else if (refs.apps.merge(app, 1, Integer::sum) == 1) {
            appsByRoute.put(refs.uri, refs.apps.keySet().toArray(AppEntry[]::new));
        }
        return refs.uri; // one String per route, shared by all its instances
    }

    private void dropRoute(String uri, AppEntry app) {
        RouteRefs refs = routeRefs.get(uri);
        if (refs == null) {
            return;
        }
        if (app == null) {
            refs.components--;
        } else {
            Integer left = refs.apps.computeIfPresent(app, (k, n) -> n == 1 ? null : n - 1);
            if (left == null) {
                if (refs.apps.isEmpty()) {
                    appsByRoute.remove(uri);
                } else {
                    appsByRoute.put(uri, refs.apps.keySet().toArray(AppEntry[]::new));
                }
            }
        }
        if (refs.apps.isEmpty() && refs.components <= 0) {
            routeRefs.remove(uri);
            routes = routeRefs.size();
        }
    }

    private void indexName(AppEntry app) {
        NameKey key = NameKey.of(app.identity);
        if (key == null) {
            return;
        }
        AppEntry[] current = appsByName.getOrDefault(key, new AppEntry[0]);
        AppEntry[] more = Arrays.copyOf(current, current.length + 1);
        more[current.length] = app;
        appsByName.put(key, more);
    }

    private void unindexName(AppEntry app) {
        NameKey key = NameKey.of(app.identity);
        if (key == null) {
            return;
        }
        AppEntry[] current = appsByName.get(key);
        if (current == null) {
            return;
        }
        AppEntry[] fewer = Arrays.stream(current).filter(a -> a != app).toArray(AppEntry[]::new);
        if (fewer.length == 0) {
            appsByName.remove(key);
        } else {
            appsByName.put(key, fewer);
        }
    }

    private void noteAnnouncement(long now) {
        lastAnnouncementNanos = now;
        if (!announced) {
            announced = true;
        }
    }

    private long staleNanos(Registration r) {
        int seconds = r.staleThresholdInSeconds();
        if (seconds <= 0) {
            return staleCapNanos;
        }
        return Math.min(staleCapNanos, seconds * 1_000_000_000L);
    }

    /** The port scrapes go to: two endpoints must never share it (see the address-reuse rule). */
    private static int addressPort(Registration r) {
        return r.scrapePort();
    }

    private String intern(String s) {
        if (s.isEmpty()) {
            return "";
        }
        String known = interned.putIfAbsent(s, s);
        return known == null ? s : known;
    }

    private String index(String s) {
        if (s.length() <= 3) {
            try {
                int i = Integer.parseInt(s);
                if (i >= 0 && i < SMALL_INDEXES.length && SMALL_INDEXES[i].equals(s)) {
                    return SMALL_INDEXES[i];
                }
            } catch (NumberFormatException notSmall) {
                // fall through: kept as announced
            }
        }
        return intern(s);
    }

    // ---------------------------------------------------------------- reads

    /** The app with this GUID. */
    public Lookup byAppGuid(String appGuid) {
        AppEntry app = appsByGuid.get(appGuid);
        return app == null ? miss() : answer(new AppEntry[] {app});
    }

    /** The app with these org, space and app names (exact, as Cloud Foundry shows them). */
    public Lookup byNames(String organization, String space, String app) {
        AppEntry[] apps = appsByName.get(new NameKey(organization, space, app));
        return apps == null ? miss() : answer(apps);
    }

    /**
     * The app(s) behind a route: {@code host} or {@code host/path}, matched as gorouter does: the
     * longest announced path prefix wins, then a wildcard route {@code *.domain}. A scheme, query
     * and trailing slash are ignored; hosts are case-insensitive.
     */
    public Lookup byRoute(String route) {
        String key = normalizeRoute(stripSchemeAndQuery(route));
        if (key.isEmpty()) {
            return miss();
        }
        while (true) {
            AppEntry[] apps = appsByRoute.get(key);
            if (apps != null) {
                return answer(apps);
            }
            int slash = key.lastIndexOf('/');
            if (slash < 0) {
                break;
            }
            key = key.substring(0, slash);
        }
        int dot = key.indexOf('.');
        if (dot > 0 && !key.startsWith("*.")) {
            AppEntry[] apps = appsByRoute.get("*" + key.substring(dot));
            if (apps != null) {
                return answer(apps);
            }
        }
        return miss();
    }

    /** Every app with at least one instance, ordered by org, space and app names. */
    public List<AppView> apps() {
        long now = nanoClock.getAsLong();
        List<AppView> views = new ArrayList<>(appsByGuid.size());
        for (AppEntry app : appsByGuid.values()) {
            AppView view = app.view(now);
            if (!view.instances().isEmpty()) {
                views.add(view);
            }
        }
        views.sort(Comparator.comparing(AppView::identity, AppIdentity.BY_NAMES));
        return views;
    }

    /** The whole table, for {@code GET /routes}. */
    public RouteSnapshot snapshot() {
        long now = nanoClock.getAsLong();
        List<ComponentView> componentViews = new ArrayList<>();
        for (Endpoint e : endpoints.values()) {
            if (e.app == null) {
                componentViews.add(new ComponentView(e.component, e.host, e.port, e.tlsPort, List.of(e.uris),
                        Duration.ofNanos(Math.max(0, now - e.lastSeen))));
            }
        }
        componentViews.sort(Comparator.comparing((ComponentView c) -> c.uris().isEmpty() ? "" : c.uris().get(0))
                .thenComparing(ComponentView::host).thenComparingInt(ComponentView::port));
        return new RouteSnapshot(apps(), componentViews, warmingUp.getAsBoolean());
    }

    /** Apps with at least one instance. */
    public int appCount() {
        return appsByGuid.size();
    }

    /** App instances (BOSH components not included). */
    public int instanceCount() {
        return appInstances;
    }

    /** Endpoints registered by BOSH components. */
    public int componentCount() {
        return components;
    }

    /** Distinct routes (URIs), of apps and components. */
    public int routeCount() {
        return routes;
    }

    /** Clock value of the last register/unregister applied, if any. */
    public OptionalLong lastAnnouncementNanos() {
        return announced ? OptionalLong.of(lastAnnouncementNanos) : OptionalLong.empty();
    }

    /** True while misses answer {@link Lookup.WarmingUp}. */
    public boolean warmingUp() {
        return warmingUp.getAsBoolean();
    }

    private Lookup miss() {
        return warmingUp.getAsBoolean() ? Lookup.WARMING_UP : Lookup.UNKNOWN;
    }

    private Lookup answer(AppEntry[] apps) {
        long now = nanoClock.getAsLong();
        if (apps.length == 1) {
            AppView view = apps[0].view(now);
            return view.instances().isEmpty() ? miss() : new Lookup.Found(view);
        }
        List<AppView> views = new ArrayList<>(apps.length);
        for (AppEntry app : apps) {
            AppView view = app.view(now);
            if (!view.instances().isEmpty()) {
                views.add(view);
            }
        }
        views.sort(Comparator.comparing(AppView::identity, AppIdentity.BY_NAMES));
        return switch (views.size()) {
            case 0 -> miss();
            case 1 -> new Lookup.Found(views.get(0));
            default -> new Lookup.Ambiguous(views);
        };
    }

    /** Lower case, no trailing slash: gorouter's route key. Returns its argument when already normal. */
    static String normalizeRoute(String uri) {
        int end = uri.length();
        while (end > 0 && uri.charAt(end - 1) == '/') {
            end--;
        }
        boolean lower = true;
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c >= 'A' && c <= 'Z' || c > 127) {
                lower = false;
                break;
            }
        }
        String trimmed = end == uri.length() ? uri : uri.substring(0, end);
        return lower ? trimmed : trimmed.toLowerCase(Locale.ROOT);
    }

    private static String stripSchemeAndQuery(String route) {
        String s = route.trim();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        }
        int query = indexOfAny(s, '?', '#');
        return query >= 0 ? s.substring(0, query) : s;
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- entries

    /** Identity of an endpoint: see the class comment. Exactly one of instanceId or host/port is set. */
    record EndpointKey(String appId, String instanceId, String host, int port) {
        static EndpointKey of(String appGuid, Registration r) {
            String instance = r.instanceGuid();
            if (!appGuid.isEmpty() && !instance.isEmpty()) {
                return new EndpointKey(appGuid, instance, "", 0);
            }
            return new EndpointKey(appGuid, "", r.host(), addressPort(r));
        }
    }

    /** host and scrape port of an endpoint; two live endpoints never share one. */
    record Address(String host, int port) {}

    /** org/space/app names of an app; null from {@link #of} when the app has no names. */
    record NameKey(String organization, String space, String app) {
        static NameKey of(AppIdentity id) {
            if (id.appName().isEmpty()) {
                return null;
            }
            return new NameKey(id.organizationName(), id.spaceName(), id.appName());
        }
    }

    /** How many endpoints of each app (and of components) carry one route. */
    private static final class RouteRefs {
        final String uri;
        final Map<AppEntry, Integer> apps = new HashMap<>(2);
        int components;

        RouteRefs(String uri) {
            this.uri = uri;
        }
    }

    /** An app and its instances; the array is replaced whole, never changed in place. */
    private static final class AppEntry {
        final String appId;
        volatile AppIdentity identity;
        volatile Endpoint[] instances = NO_ENDPOINTS;

        AppEntry(String appId, AppIdentity identity) {
            this.appId = appId;
            this.identity = identity;
        }

        boolean identityMatches(Registration r) {
            AppIdentity id = identity;
            return id.appName().equals(r.tag("app_name"))
                    && id.spaceName().equals(r.tag("space_name"))
                    && id.organizationName().equals(r.tag("organization_name"))
                    && id.spaceId().equals(r.tag("space_id"))
                    && id.organizationId().equals(r.tag("organization_id"));
        }

        /** Replaces {@code out} (may be null) by {@code in} (may be null) in one publication. */
        void swap(Endpoint out, Endpoint in) {
            Endpoint[] current = instances;
            List<Endpoint> next = new ArrayList<>(current.length + 1);
            for (Endpoint e : current) {
                if (e != out) {
                    next.add(e);
                }
            }
            if (in != null) {
                next.add(in);
            }
            next.sort(Endpoint.ORDER);
            instances = next.toArray(NO_ENDPOINTS);
        }

        AppView view(long now) {
            AppIdentity id = identity;
            Endpoint[] current = instances;
            Instance[] views = new Instance[current.length];
            for (int i = 0; i < current.length; i++) {
                views[i] = current[i].view(now);
            }
            return new AppView(id, Arrays.asList(views));
        }
    }

    /** One endpoint. Only routes, last-seen time and the removed flag change after creation. */
    private static final class Endpoint {
        static final Comparator<Endpoint> ORDER = Comparator.comparingInt((Endpoint e) -> e.indexOrder)
                .thenComparing(e -> e.index)
                .thenComparing(e -> e.instanceId)
                .thenComparing(e -> e.host)
                .thenComparingInt(e -> e.port)
                .thenComparingInt(e -> e.tlsPort);

        final EndpointKey key;
        final AppEntry app; // null for a BOSH component
        final String component;
        final String instanceId;
        final String index;
        final int indexOrder;
        final String host;
        final int port;
        final int tlsPort;
        final String san;
        final String protocol;
        final String availabilityZone;
        final long staleNanos;
        final Address address;
        volatile String[] uris;
        volatile long lastSeen;
        volatile boolean removed;

        Endpoint(EndpointKey key, AppEntry app, String component, String instanceId, String index, String host,
                 int port, int tlsPort, String san, String protocol, String availabilityZone, long staleNanos,
                 Address address, String[] uris, long lastSeen) {
            this.key = key;
            this.app = app;
            this.component = app == null ? component : "";
            this.instanceId = instanceId;
            this.index = index;
            this.indexOrder = indexOrder(index);
            this.host = host;
            this.port = port;
            this.tlsPort = tlsPort;
            this.san = san;
            this.protocol = protocol;
            this.availabilityZone = availabilityZone;
            this.staleNanos = staleNanos;
            this.address = address;
            this.uris = uris;
            this.lastSeen = lastSeen;
        }

        String appId() {
            return app == null ? "" : app.appId;
        }

        /** True when {@code r} says nothing new: same attributes, known routes, same app names. */
        boolean refreshedBy(Registration r, long stale) {
            if (!sameAttributes(r, stale) || r.uris().size() > uris.length) {
                return false;
            }
            for (String uri : r.uris()) {
                if (!hasUri(normalizeRoute(uri))) {
                    return false;
                }
            }
            return app == null || r.tag("app_name").isEmpty() || app.identityMatches(r);
        }

        boolean sameAttributes(Registration r, long stale) {
            return port == r.port() && tlsPort == r.tlsPort() && staleNanos == stale
                    && host.equals(r.host())
                    && index.equals(r.instanceIndex())
                    && san.equals(r.serverCertDomainSan())
                    && protocol.equals(r.protocol())
                    && availabilityZone.equals(r.availabilityZone());
        }

        boolean hasUri(String uri) {
            for (String u : uris) {
                if (u.equals(uri)) {
                    return true;
                }
            }
            return false;
        }

        Instance view(long now) {
            return new Instance(index, instanceId, host, port, tlsPort, san, protocol, availabilityZone,
                    List.of(uris), Duration.ofNanos(Math.max(0, now - lastSeen)), Duration.ofNanos(staleNanos));
        }

        private static int indexOrder(String index) {
            try {
                return Integer.parseInt(index);
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
    }
}
