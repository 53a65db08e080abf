package io.promfetcher.status;

import io.promfetcher.routes.AppIdentity;
import io.promfetcher.routes.AppView;
import io.promfetcher.routes.InternalRoutes;
import io.promfetcher.routes.RecentlyRemoved;
import java.util.List;
import java.util.Optional;

/**
 * Why an app request resolves the way it does, in words and as a {@link Code}: the apps and
 * instances it found (with their announcement age and last scrape), or, when it found none, what
 * the gateway knows that comes closest. Immutable; rendered as JSON and as a page.
 *
 * @param request     the app as the caller named it (org/space/app, GUID or route)
 * @param summary     one sentence an operator can act on
 * @param details     further sentences, most useful first
 * @param apps        the apps it resolved to (empty when it did not resolve)
 * @param suggestions known apps whose names come closest, best first (when it did not resolve)
 * @param internal    apps the request may mean that have only internal routes
 * @param removed     apps the request names that recently left the table
 * @param scrape      what an explicit scrape ({@code ?scrape=true}) answered
 */
public record Explanation(String request, Code code, String summary, List<String> details, List<ExplainedApp> apps,
                          List<Suggestion> suggestions, List<InternalRoutes.InternalApp> internal,
                          List<RecentlyRemoved.RemovedApp> removed, Optional<ScrapeAttempt> scrape) {

    public Explanation {
        details = List.copyOf(details);
        apps = List.copyOf(apps);
        suggestions = List.copyOf(suggestions);
        internal = List.copyOf(internal);
        removed = List.copyOf(removed);
    }

    /** The same explanation, with what a scrape made for it answered. */
    public Explanation withScrape(ScrapeAttempt attempt) {
        return new Explanation(request, code, summary, details, apps, suggestions, internal, removed, Optional.of(attempt));
    }

    /** The diagnosis, one per distinct reason an app is or is not in Prometheus. */
    public enum Code {
        /** Resolves; its instances answered the last scrape. */
        OK("ok"),
        /** Resolves; some instances failed on the last scrape. */
        PARTLY_FAILING("partly_failing"),
        /** Resolves; every instance failed on the last scrape. */
        ALL_FAILING("all_failing"),
        /** Resolves, but nobody has asked the gateway for its metrics since it started. */
        NOT_SCRAPED("not_scraped"),
        /** Resolves, but the app asked not to be scraped: it is left out of /v1/sd. */
        EXCLUDED_FROM_DISCOVERY("excluded_from_discovery"),
        /** No app by that name, GUID or route. */
        UNKNOWN("unknown"),
        /** The app is announced on internal routes only, which the gateway cannot scrape. */
        INTERNAL_ROUTES_ONLY("internal_routes_only"),
        /** The route belongs to a BOSH component, not an app. */
        COMPONENT_ROUTE("component_route"),
        /** Not known yet: the route table is still filling after start. */
        WARMING_UP("warming_up"),
        /** Its instances stopped being announced and were pruned. */
        PRUNED("pruned"),
        /** The platform unregistered its routes (stopped, scaled to zero, deleted, route unmapped). */
        UNREGISTERED("unregistered");

        private final String label;

        Code(String label) {
            this.label = label;
        }

        /** The code as it appears in JSON. */
        public String label() {
            return label;
        }

        /** True when the request resolved to at least one app. */
        public boolean resolved() {
            return ordinal() <= EXCLUDED_FROM_DISCOVERY.ordinal();
        }
    }

    /**
     * An app the request resolved to.
     *
     * @param lastScrape     its last scrape through the gateway, if any since start
     * @param removed        its instances that recently left the table
     * @param listed         false when the app asked not to be scraped
     * @param listedSource   who said so ("" when nobody did)
     */
    public record ExplainedApp(AppView app, Optional<LastScrapes.LastScrape> lastScrape,
                               List<RecentlyRemoved.RemovedInstance> removed, boolean listed, String listedSource) {
        public ExplainedApp {
            removed = List.copyOf(removed);
        }
    }

    /** A known app the caller may have meant, and why it is suggested. */
    public record Suggestion(AppIdentity app, String why) {}

    /** What a scrape made for the explanation answered: the status and, when it failed, the gateway's message. */
    public record ScrapeAttempt(int status, String message) {}
}
