package io.promfetcher.routes;

import java.util.List;

/**
 * The whole table at one moment, for {@code GET /routes} and HTTP service discovery. Apps are ordered
 * by org, space and app names; components by their first route. Each app's instance list is
 * consistent; the table as a whole is read without stopping writers.
 */
public record RouteSnapshot(List<AppView> apps, List<ComponentView> components, boolean warmingUp) {
    public RouteSnapshot {
        apps = List.copyOf(apps);
        components = List.copyOf(components);
    }
}
