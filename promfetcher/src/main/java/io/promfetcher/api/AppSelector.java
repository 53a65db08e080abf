package io.promfetcher.api;

import io.promfetcher.routes.Lookup;
import io.promfetcher.routes.RouteTable;

/** Which app a metrics request names: by org/space/app names, by app GUID, or by one of its routes. */
public sealed interface AppSelector {
    /** Looks the app up in {@code table}, the way this selector names it. */
    default Lookup lookup(RouteTable table) {
        if (this instanceof ByNames n) {
            return table.byNames(n.organization(), n.space(), n.app());
        }
        if (this instanceof ByGuid g) {
            return table.byAppGuid(g.guid());
        }
        return table.byRoute(((ByRoute) this).route());
    }

    /** {@code /v1/apps/{org}/{space}/{app}/metrics} or {@code ?app=org/space/app}. */
    record ByNames(String organization, String space, String app) implements AppSelector {
        @Override
        public String toString() {
            return organization + "/" + space + "/" + app;
        }
    }

    /** {@code /v1/apps/{app_guid}/metrics} or {@code ?app=app_guid}. */
    record ByGuid(String guid) implements AppSelector {
        @Override
        public String toString() {
            return guid;
        }
    }

    /** {@code /v1/apps/{route_host}/metrics} or {@code ?route_url=host[/path]}. */
    record ByRoute(String route) implements AppSelector {
        @Override
        public String toString() {
            return route;
        }
    }
}
