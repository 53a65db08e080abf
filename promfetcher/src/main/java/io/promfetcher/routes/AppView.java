package io.promfetcher.routes;

import java.util.List;

/**
 * An app and its live instances at the moment of a lookup. Immutable; instances are ordered by
 * index (numerically), then instance GUID, then address, so outputs built from it are deterministic.
 * During a rolling restart two instances may share an index: both are listed.
 */
public record AppView(AppIdentity identity, List<Instance> instances) {
    public AppView {
        instances = List.copyOf(instances);
    }
}
