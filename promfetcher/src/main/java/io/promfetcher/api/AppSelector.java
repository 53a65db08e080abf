package io.promfetcher.api;

/** Which app a metrics request names: by org/space/app names, by app GUID, or by one of its routes. */
public sealed interface AppSelector {
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
