package io.promfetcher.broker;

import java.util.Objects;
import java.util.Optional;

/**
 * A service instance of the broker's one plan, as the platform provisioned it. Organization and
 * space are what the platform said (absent for an instance adopted on its first bind, see
 * {@link BindingStore#bind}).
 */
record ServiceInstance(String instanceId, String serviceId, String planId,
                       Optional<String> organizationGuid, Optional<String> spaceGuid) {
    ServiceInstance {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(planId, "planId");
        Objects.requireNonNull(organizationGuid, "organizationGuid");
        Objects.requireNonNull(spaceGuid, "spaceGuid");
    }

    /** Whether a repeated provision request asks for this same instance (200) rather than another (409). */
    boolean sameAs(ServiceInstance other) {
        return serviceId.equals(other.serviceId) && planId.equals(other.planId)
                && organizationGuid.equals(other.organizationGuid) && spaceGuid.equals(other.spaceGuid);
    }
}
