package io.promfetcher.routes;

import java.util.List;

/**
 * The answer of a route-table lookup. {@link Unknown} and {@link WarmingUp} are different answers on
 * purpose: while the table is still filling after start, an app that is not (yet) known must be
 * answered 503 with Retry-After, not 404.
 */
public sealed interface Lookup {

    /** Exactly one app matched. */
    record Found(AppView app) implements Lookup {}

    /**
     * Several apps matched: a route mapped to two apps (blue/green), or two app GUIDs carrying the same
     * org/space/app names for a moment (rename, re-push). Ordered by names then GUID. Each instance
     * still belongs to exactly one of the apps.
     */
    record Ambiguous(List<AppView> apps) implements Lookup {
        public Ambiguous {
            apps = List.copyOf(apps);
        }
    }

    /** Nothing matched and the table is complete: 404. */
    record Unknown() implements Lookup {}

    /** Nothing matched but the table may still be incomplete: 503 with Retry-After. */
    record WarmingUp() implements Lookup {}

    Lookup UNKNOWN = new Unknown();
    Lookup WARMING_UP = new WarmingUp();

    /** The matched apps: one for Found, several for Ambiguous, none otherwise. */
    default List<AppView> apps() {
        if (this instanceof Found found) {
            return List.of(found.app());
        }
        if (this instanceof Ambiguous ambiguous) {
            return ambiguous.apps();
        }
        return List.of();
    }
}
