package io.promfetcher.routes;

import java.util.Objects;

/**
 * An app instance that left the route table, as it was when it left: its app, the instance (with
 * the time since its last announcement, i.e. how long it had been silent) and why.
 */
public record Removal(AppIdentity app, Instance instance, Cause cause) {

    /** Why an instance left the table. */
    public enum Cause {
        /** Not re-announced within its stale threshold: the instance, its cell or its emitter went silent. */
        PRUNED("pruned"),
        /** The platform sent {@code router.unregister} for its last route: stopped, scaled down, deleted, route unmapped. */
        UNREGISTERED("unregistered");

        private final String label;

        Cause(String label) {
            this.label = label;
        }

        /** Lower-case name for JSON and pages. */
        public String label() {
            return label;
        }
    }

    public Removal {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(cause, "cause");
    }
}
