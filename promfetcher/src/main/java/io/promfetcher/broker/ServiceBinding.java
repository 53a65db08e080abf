package io.promfetcher.broker;

import java.util.Objects;

/** A binding of a service instance to an app, with what the app said about being scraped. */
record ServiceBinding(String bindingId, String instanceId, String appGuid, BindingParameters parameters) {
    ServiceBinding {
        Objects.requireNonNull(bindingId, "bindingId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(appGuid, "appGuid");
        Objects.requireNonNull(parameters, "parameters");
    }

    /** Whether a repeated bind request asks for this same binding (200) rather than another (409). */
    boolean sameAs(ServiceBinding other) {
        return instanceId.equals(other.instanceId) && appGuid.equals(other.appGuid) && parameters.equals(other.parameters);
    }
}
