package io.promfetcher.status;

import io.promfetcher.api.AppSelector;
import io.promfetcher.api.ScrapePreferences;
import io.promfetcher.config.EditDistance;
import io.promfetcher.exposition.FailureReason;
import io.promfetcher.routes.AppIdentity;
import io.promfetcher.routes.AppView;
import io.promfetcher.routes.ComponentView;
import io.promfetcher.routes.Instance;
import io.promfetcher.routes.InternalRoutes;
import io.promfetcher.routes.Lookup;
import io.promfetcher.routes.RecentlyRemoved;
import io.promfetcher.routes.Removal;
import io.promfetcher.routes.RouteTable;
import io.promfetcher.status.Explanation.Code;
import io.promfetcher.status.Explanation.ExplainedApp;
import io.promfetcher.status.Explanation.Suggestion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Answers "why is my app (not) in Prometheus" from what the gateway already knows — the route
 * table, what recently left it, internal routes, each app's last scrape and what apps said about
 * being scraped — without contacting any instance. One {@link Code} per reason; the words say what
 * to check.
 */
public final class Explainer {
    /** Suggestions given for an unknown app. */
    static final int MAX_SUGGESTIONS = 5;

    private final RouteTable table;
    private final RecentlyRemoved removed;
    private final InternalRoutes internal;
    private final boolean followsInternalRoutes;
    private final LastScrapes scrapes;
    private final ScrapePreferences preferences;
    private final Clock clock;
    private final Instant startedAt;

    public Explainer(RouteTable table, RecentlyRemoved removed, InternalRoutes internal, boolean followsInternalRoutes,
                     LastScrapes scrapes, ScrapePreferences preferences, Clock clock) {
        this.table = table;
        this.removed = removed;
        this.internal = internal;
        this.followsInternalRoutes = followsInternalRoutes;
        this.scrapes = scrapes;
        this.preferences = preferences;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    public Explanation explain(AppSelector selector) {
        Lookup lookup = selector.lookup(table);
        if (!lookup.apps().isEmpty()) {
            return resolved(selector, lookup.apps());
        }
        return unresolved(selector, lookup instanceof Lookup.WarmingUp);
    }

    // ------------------------------------------------------------------ resolved

    private Explanation resolved(AppSelector selector, List<AppView> views) {
        List<ExplainedApp> apps = new ArrayList<>();
        for (AppView view : views) {
            String guid = view.identity().appId();
            apps.add(new ExplainedApp(view, scrapes.of(guid),
                    removed.byAppGuid(guid).map(RecentlyRemoved.RemovedApp::instances).orElse(List.of()),
                    preferences.listed(guid),
                    preferences.scrape(guid).map(ScrapePreferences.Preference::source).orElse("")));
        }
        int instances = apps.stream().mapToInt(a -> a.app().instances().size()).sum();
        String resolves = selector + " resolves to " + (apps.size() == 1 ? "app " + name(apps.get(0).app().identity())
                : apps.size() + " apps") + " with " + count(instances, "instance");
        List<String> details = new ArrayList<>();
        if (apps.size() > 1) {
            details.add("Several apps answer to it (a route mapped to two apps, or a rename or re-push in progress): their instances are merged into one answer.");
        }
        if (table.warmingUp()) {
            details.add("The route table is still warming up: instances not re-announced yet may be missing.");
        }
        Code code;
        String summary;
        List<LastScrapes.InstanceResult> failing = new ArrayList<>();
        int scraped = 0;
        for (ExplainedApp app : apps) {
            if (app.lastScrape().isPresent()) {
                scraped++;
                app.lastScrape().get().instances().stream().filter(i -> i.reason().isPresent()).forEach(failing::add);
            }
        }
        Optional<LastScrapes.LastScrape> latest = apps.stream().flatMap(a -> a.lastScrape().stream())
                .max(Comparator.comparing(LastScrapes.LastScrape::at));
        if (scraped == apps.size() && apps.stream().allMatch(a -> a.lastScrape().get().allFailed())) {
            code = Code.ALL_FAILING;
            summary = resolves + ", but every instance failed on the last scrape (" + when(latest.get().at()) + ", HTTP "
                    + latest.get().status() + "): " + reasons(failing) + ".";
            details.addAll(0, reasonWords(failing));
        } else if (!failing.isEmpty()) {
            code = Code.PARTLY_FAILING;
            long total = apps.stream().flatMap(a -> a.lastScrape().stream()).mapToLong(s -> s.instances().size()).sum();
            summary = resolves + "; " + failing.size() + " of " + total + " instances failed on the last scrape ("
                    + when(latest.get().at()) + "): " + reasons(failing) + ".";
            details.addAll(0, reasonWords(failing));
        } else if (apps.stream().anyMatch(a -> !a.listed())) {
            code = Code.EXCLUDED_FROM_DISCOVERY;
            ExplainedApp excluded = apps.stream().filter(a -> !a.listed()).findFirst().orElseThrow();
            summary = resolves + ", but the app asked not to be scraped (" + excluded.listedSource()
                    + "): it is left out of /v1/sd, so a scrape job using discovery does not scrape it.";
        } else if (scraped == 0) {
            code = Code.NOT_SCRAPED;
            summary = resolves + ", but nobody has asked this gateway for its metrics since it started (" + when(startedAt)
                    + "): check that a Prometheus job scrapes it (through /v1/sd or a static target), or open its metrics to try.";
        } else {
            code = Code.OK;
            summary = resolves + "; every instance answered the last scrape (" + when(latest.get().at()) + ", HTTP "
                    + latest.get().status() + ").";
        }
        for (ExplainedApp app : apps) {
            for (RecentlyRemoved.RemovedInstance gone : app.removed()) {
                details.add(removalSentence(app.app().identity(), gone));
            }
        }
        return new Explanation(selector.toString(), code, summary, details, apps, List.of(), List.of(), List.of(),
                Optional.empty());
    }

    private static String reasons(List<LastScrapes.InstanceResult> failing) {
        return failing.stream().map(i -> "index " + i.index() + " (" + i.instance() + ") " + i.reason().get().label()
                + i.detail().map(d -> " at " + d).orElse("")).collect(Collectors.joining(", "));
    }

    private static List<String> reasonWords(List<LastScrapes.InstanceResult> failing) {
        Map<FailureReason, String> words = new LinkedHashMap<>();
        for (LastScrapes.InstanceResult i : failing) {
            words.putIfAbsent(i.reason().get(), i.reason().get().label() + ": " + ReasonWords.of(i.reason().get()) + ".");
        }
        return new ArrayList<>(words.values());
    }

    // ------------------------------------------------------------------ not resolved

    private Explanation unresolved(AppSelector selector, boolean warmingUp) {
        List<Suggestion> suggestions = suggestions(selector);
        List<String> details = new ArrayList<>();
        List<RecentlyRemoved.RemovedApp> gone = removedMatching(selector);
        if (!gone.isEmpty()) {
            RecentlyRemoved.RemovedApp app = gone.get(0);
            RecentlyRemoved.RemovedInstance latest = app.latest();
            Code code = latest.cause() == Removal.Cause.PRUNED ? Code.PRUNED : Code.UNREGISTERED;
            String summary = code == Code.PRUNED
                    ? "App " + name(app.app()) + " has no instance left: its last was pruned " + when(latest.removedAt())
                    + ", last announced " + when(latest.lastSeen()) + " (stale threshold "
                    + latest.instance().staleThreshold().toSeconds() + " s). The instance, its Diego cell or its route-emitter went silent; `cf app` shows whether it still runs."
                    : "App " + name(app.app()) + " has no instance left: the platform unregistered its routes " + when(latest.removedAt())
                    + " (last announced " + when(latest.lastSeen()) + "). It was stopped, scaled to zero, deleted, or its route unmapped.";
            for (RecentlyRemoved.RemovedInstance i : app.instances()) {
                details.add(removalSentence(app.app(), i));
            }
            return new Explanation(selector.toString(), code, summary, details, List.of(), suggestions, List.of(), gone,
                    Optional.empty());
        }
        List<InternalRoutes.InternalApp> internalOnly = internalMatching(selector);
        if (!internalOnly.isEmpty()) {
            InternalRoutes.InternalApp app = internalOnly.get(0);
            String guess = selector instanceof AppSelector.ByNames
                    ? " Internal route announcements carry no org or space names: this match is by host name." : "";
            String summary = "App " + app.appGuid() + " is announced only on internal routes (" + String.join(", ", app.hostnames())
                    + "): those go to service discovery, not to the routers, and name no port the gateway could scrape. Map an HTTP route to the app so that the gateway learns where its instances are." + guess;
            return new Explanation(selector.toString(), Code.INTERNAL_ROUTES_ONLY, summary, details, List.of(), suggestions,
                    internalOnly, List.of(), Optional.empty());
        }
        Optional<ComponentView> component = componentMatching(selector);
        if (component.isPresent()) {
            String summary = "Route " + selector + " belongs to the BOSH component \"" + component.get().component()
                    + "\", not to an app: components carry no app identity and are never scraped through app endpoints.";
            return new Explanation(selector.toString(), Code.COMPONENT_ROUTE, summary, details, List.of(), List.of(),
                    List.of(), List.of(), Optional.empty());
        }
        if (warmingUp) {
            String summary = selector + " is not known yet: the route table is still warming up (it fills during one register interval after the first NATS connection). Ask again in a few seconds.";
            return new Explanation(selector.toString(), Code.WARMING_UP, summary, details, List.of(), suggestions, List.of(),
                    List.of(), Optional.empty());
        }
        String summary = "No app " + describe(selector) + " is announced on NATS"
                + (suggestions.isEmpty() ? "." : "; the nearest known: " + name(suggestions.get(0).app()) + " (" + suggestions.get(0).why() + ").");
        details.add("If the app exists, it may be stopped, have no HTTP route, or have only TCP routes: route-emitter sends TCP routes to the routing API, not to NATS, so the gateway cannot see them. `cf app NAME` shows its state and routes.");
        if (!followsInternalRoutes) {
            details.add("Internal routes are not followed (routes.subscribe_internal_routes: false), so an app with only internal routes looks unknown too.");
        }
        return new Explanation(selector.toString(), Code.UNKNOWN, summary, details, List.of(), suggestions, List.of(),
                List.of(), Optional.empty());
    }

    private List<RecentlyRemoved.RemovedApp> removedMatching(AppSelector selector) {
        List<RecentlyRemoved.RemovedApp> matches = new ArrayList<>();
        for (RecentlyRemoved.RemovedApp app : removed.all()) {
            AppIdentity id = app.app();
            boolean match;
            if (selector instanceof AppSelector.ByNames n) {
                match = id.organizationName().equals(n.organization()) && id.spaceName().equals(n.space()) && id.appName().equals(n.app());
            } else if (selector instanceof AppSelector.ByGuid g) {
                match = id.appId().equals(g.guid());
            } else {
                String host = host(((AppSelector.ByRoute) selector).route());
                match = app.instances().stream().anyMatch(i -> i.instance().uris().stream().anyMatch(u -> host(u).equals(host)));
            }
            if (match) {
                matches.add(app);
            }
        }
        return matches;
    }

    private List<InternalRoutes.InternalApp> internalMatching(AppSelector selector) {
        List<InternalRoutes.InternalApp> matches = new ArrayList<>();
        for (InternalRoutes.InternalApp app : internal.all()) {
            boolean match;
            if (selector instanceof AppSelector.ByGuid g) {
                match = app.appGuid().equals(g.guid());
            } else if (selector instanceof AppSelector.ByRoute r) {
                match = app.hostnames().contains(host(r.route()));
            } else {
                String name = ((AppSelector.ByNames) selector).app().toLowerCase(Locale.ROOT);
                match = app.hostnames().stream().anyMatch(h -> h.startsWith(name + "."));
            }
            if (match) {
                matches.add(app);
            }
        }
        matches.sort(Comparator.comparing(InternalRoutes.InternalApp::appGuid));
        return matches;
    }

    private Optional<ComponentView> componentMatching(AppSelector selector) {
        if (!(selector instanceof AppSelector.ByRoute r)) {
            return Optional.empty();
        }
        String host = host(r.route());
        return table.snapshot().components().stream()
                .filter(c -> c.uris().stream().anyMatch(u -> host(u).equals(host)))
                .findFirst();
    }

    // ------------------------------------------------------------------ nearest names

    /** Known apps closest to what was asked, best first. */
    List<Suggestion> suggestions(AppSelector selector) {
        record Scored(int score, Suggestion suggestion) {}
        List<Scored> scored = new ArrayList<>();
        for (AppView view : table.apps()) {
            AppIdentity id = view.identity();
            if (selector instanceof AppSelector.ByNames n) {
                names(n, id).ifPresent(s -> scored.add(new Scored(s.score(), new Suggestion(id, s.why()))));
            } else if (selector instanceof AppSelector.ByGuid g) {
                guid(g.guid(), view).ifPresent(why -> scored.add(new Scored(0, new Suggestion(id, why))));
            } else {
                String asked = host(((AppSelector.ByRoute) selector).route());
                int best = Integer.MAX_VALUE;
                String closest = "";
                for (Instance instance : view.instances()) {
                    for (String uri : instance.uris()) {
                        int d = EditDistance.between(asked, host(uri));
                        if (d < best) {
                            best = d;
                            closest = uri;
                        }
                    }
                }
                if (best <= tolerance(asked)) {
                    scored.add(new Scored(best, new Suggestion(id, "has the similar route " + closest)));
                }
            }
        }
        scored.sort(Comparator.comparingInt(Scored::score)
                .thenComparing(s -> s.suggestion().app(), AppIdentity.BY_NAMES));
        return scored.stream().limit(MAX_SUGGESTIONS).map(Scored::suggestion).toList();
    }

    private record NameMatch(int score, String why) {}

    private static Optional<NameMatch> names(AppSelector.ByNames asked, AppIdentity id) {
        boolean org = id.organizationName().equals(asked.organization());
        boolean space = id.spaceName().equals(asked.space());
        boolean app = id.appName().equals(asked.app());
        boolean orgCi = id.organizationName().equalsIgnoreCase(asked.organization());
        boolean spaceCi = id.spaceName().equalsIgnoreCase(asked.space());
        boolean appCi = id.appName().equalsIgnoreCase(asked.app());
        if (orgCi && spaceCi && appCi) {
            return Optional.of(new NameMatch(0, "the same names but for upper and lower case: names are case-sensitive"));
        }
        if (appCi && orgCi) {
            return Optional.of(new NameMatch(1, "the same app in another space"));
        }
        if (appCi) {
            return Optional.of(new NameMatch(2, "the same app name in another org"));
        }
        if (orgCi && spaceCi) {
            int d = EditDistance.between(asked.app().toLowerCase(Locale.ROOT), id.appName().toLowerCase(Locale.ROOT));
            if (d <= tolerance(asked.app())) {
                return Optional.of(new NameMatch(3 + d, "a similar name in the same space"));
            }
        }
        String whole = (asked.organization() + "/" + asked.space() + "/" + asked.app()).toLowerCase(Locale.ROOT);
        int d = EditDistance.between(whole, (id.organizationName() + "/" + id.spaceName() + "/" + id.appName()).toLowerCase(Locale.ROOT));
        if (d <= tolerance(whole)) {
            return Optional.of(new NameMatch(10 + d, "similar names"));
        }
        return Optional.empty();
    }

    /** A GUID that is not an app's may be the org's, the space's or an instance's (people copy the wrong one). */
    private static Optional<String> guid(String guid, AppView view) {
        AppIdentity id = view.identity();
        if (id.organizationId().equalsIgnoreCase(guid)) {
            return Optional.of("that GUID is its org's, " + id.organizationName());
        }
        if (id.spaceId().equalsIgnoreCase(guid)) {
            return Optional.of("that GUID is its space's, " + id.spaceName());
        }
        for (Instance instance : view.instances()) {
            if (instance.instanceId().equalsIgnoreCase(guid)) {
                return Optional.of("that GUID is its instance " + instance.index() + "'s");
            }
        }
        return Optional.empty();
    }

    /** Edits allowed for a name of this length to count as "similar": about one in four characters, at least one. */
    private static int tolerance(String name) {
        return Math.max(1, name.length() / 4);
    }

    // ------------------------------------------------------------------ words

    private String removalSentence(AppIdentity app, RecentlyRemoved.RemovedInstance gone) {
        return "Instance " + gone.instance().index() + " of " + name(app) + " (" + gone.instance().address() + ") was "
                + gone.cause().label() + " " + when(gone.removedAt()) + "; last announced " + when(gone.lastSeen()) + ".";
    }

    /** "at 2026-12-01T10:02:03Z (2 min ago)". */
    private String when(Instant at) {
        return "at " + at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " (" + Ages.ago(Duration.between(at, clock.instant())) + ")";
    }

    private static String describe(AppSelector selector) {
        if (selector instanceof AppSelector.ByNames) {
            return "named " + selector;
        }
        return selector instanceof AppSelector.ByGuid ? "with GUID " + selector : "with route " + selector;
    }

    static String name(AppIdentity id) {
        return id.appName().isEmpty() ? id.appId() : id.organizationName() + "/" + id.spaceName() + "/" + id.appName();
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String host(String route) {
        int slash = route.indexOf('/');
        return (slash < 0 ? route : route.substring(0, slash)).toLowerCase(Locale.ROOT);
    }
}
