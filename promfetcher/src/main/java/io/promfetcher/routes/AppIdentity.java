package io.promfetcher.routes;

import java.util.Comparator;

/**
 * Who an app is in Cloud Foundry: GUIDs and names of its org, space and itself, from
 * route-emitter's tags. Names may be "" when an emitter sent only the app GUID.
 */
public record AppIdentity(
        String organizationId,
        String organizationName,
        String spaceId,
        String spaceName,
        String appId,
        String appName) {

    /** Orders apps as operators read them: org, space, app name, then GUID to break ties. */
    public static final Comparator<AppIdentity> BY_NAMES = Comparator.comparing(AppIdentity::organizationName)
            .thenComparing(AppIdentity::spaceName)
            .thenComparing(AppIdentity::appName)
            .thenComparing(AppIdentity::appId);

    static AppIdentity of(Registration r, String appGuid) {
        return new AppIdentity(r.tag("organization_id"), r.tag("organization_name"), r.tag("space_id"),
                r.tag("space_name"), appGuid, r.tag("app_name"));
    }
}
