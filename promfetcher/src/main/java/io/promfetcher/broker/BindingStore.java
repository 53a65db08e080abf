package io.promfetcher.broker;

import io.promfetcher.scrape.MetricPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's instances and bindings in the database (schema: migration V1). Every method is one
 * transaction that commits before it returns, or rolls back and throws
 * {@link BrokerUnavailableException}: nothing is ever half-written, and what a method reports as
 * done is on disk. Blocking; called on the broker's own threads, never on an event loop.
 *
 * <p>Every write first raises the change counter ({@code broker_change}), which takes that row's
 * lock: writes from all gateways are serialised, a repeated request sees the first one's result
 * (200 or 409, never a duplicate), and each binding records the counter value it was made at, so
 * the newest binding of an app is the last one acknowledged.
 */
final class BindingStore {
    private static final Logger LOG = LoggerFactory.getLogger(BindingStore.class);

    /** What a write did. */
    enum Change {
        /** Made by this call (201, or 200 for deletions). */
        CREATED,
        /** Already there exactly as asked (200). */
        UNCHANGED,
        /** Already there, differently (409). */
        CONFLICT,
        DELETED,
        /** Not there to delete (410). */
        GONE
    }

    /** A binding in force, as the gateways use it. */
    record Bound(String appGuid, String bindingId, BindingParameters parameters, long version) {}

    /** Every binding, read at one change-counter value. */
    record Contents(long version, List<Bound> bindings) {}

    private final BrokerDatabase database;

    BindingStore(BrokerDatabase database) {
        this.database = database;
    }

    Change provision(ServiceInstance instance) {
        return write(c -> {
            Optional<ServiceInstance> existing = instance(c, instance.instanceId());
            if (existing.isPresent()) {
                return existing.get().sameAs(instance) ? Change.UNCHANGED : Change.CONFLICT;
            }
            insertInstance(c, instance);
            return Change.CREATED;
        });
    }

    /**
     * Whether the instance exists; one the broker has never seen is adopted (see {@link #bind}).
     * The broker's one plan has no instance parameters, so an update changes nothing else.
     */
    Change update(ServiceInstance instance) {
        return write(c -> {
            if (instance(c, instance.instanceId()).isPresent()) {
                return Change.UNCHANGED;
            }
            insertInstance(c, instance);
            return Change.CREATED;
        });
    }

    /** Deletes the instance and any binding the platform left on it. */
    Change deprovision(String instanceId) {
        return write(c -> {
            if (instance(c, instanceId).isEmpty()) {
                return Change.GONE;
            }
            // Explicit rather than relying on the cascade alone: the count goes to the log.
            int bindings = update(c, "DELETE FROM broker_service_binding WHERE instance_id = ?", instanceId);
            update(c, "DELETE FROM broker_service_instance WHERE instance_id = ?", instanceId);
            if (bindings > 0) {
                LOG.warn("service instance {} deprovisioned with {} binding(s) still on it; they were deleted too", instanceId, bindings);
            }
            return Change.DELETED;
        });
    }

    /**
     * Stores a binding. An instance the broker has never seen is adopted with the service and plan
     * of the request: the Go promfetcher kept no record of instances, so a foundation that
     * switches brokers has instances only the platform knows about.
     */
    Change bind(ServiceBinding binding, ServiceInstance instance) {
        return write(c -> {
            Optional<ServiceBinding> existing = binding(c, binding.bindingId());
            if (existing.isPresent()) {
                return existing.get().sameAs(binding) ? Change.UNCHANGED : Change.CONFLICT;
            }
            if (instance(c, binding.instanceId()).isEmpty()) {
                insertInstance(c, instance);
                LOG.info("service instance {} adopted on its first bind (provisioned before this broker kept records)",
                        binding.instanceId());
            }
            long version = readVersion(c); // this transaction's own raise
            try (PreparedStatement s = c.prepareStatement("INSERT INTO broker_service_binding "
                    + "(binding_id, instance_id, app_guid, endpoint, scrape, change_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, binding.bindingId());
                s.setString(2, binding.instanceId());
                s.setString(3, binding.appGuid());
                s.setString(4, binding.parameters().endpoint().map(MetricPath::value).orElse(null));
                if (binding.parameters().scrape().isPresent()) {
                    s.setBoolean(5, binding.parameters().scrape().get());
                } else {
                    s.setNull(5, Types.BOOLEAN);
                }
                s.setLong(6, version);
                s.setTimestamp(7, Timestamp.from(Instant.now()));
                s.executeUpdate();
            }
            return Change.CREATED;
        });
    }

    /** The binding, if it exists on that instance. */
    Optional<ServiceBinding> binding(String instanceId, String bindingId) {
        return read(c -> binding(c, bindingId).filter(b -> b.instanceId().equals(instanceId)));
    }

    Change unbind(String instanceId, String bindingId) {
        return write(c -> {
            Optional<ServiceBinding> existing = binding(c, bindingId);
            if (existing.isEmpty() || !existing.get().instanceId().equals(instanceId)) {
                return Change.GONE;
            }
            update(c, "DELETE FROM broker_service_binding WHERE binding_id = ?", bindingId);
            return Change.DELETED;
        });
    }

    /** Whether the instance exists. */
    boolean instanceExists(String instanceId) {
        return read(c -> instance(c, instanceId).isPresent());
    }

    /** The change counter: the cheap question each refresh asks. */
    long version() {
        return read(BindingStore::readVersion);
    }

    /**
     * Every binding. The counter is read first: a change committed between the two reads makes
     * the bindings newer than the counter says, and the next refresh reads them again.
     */
    Contents contents() {
        return read(c -> {
            long version = readVersion(c);
            List<Bound> bindings = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT app_guid, binding_id, endpoint, scrape, change_version FROM broker_service_binding");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Optional<BindingParameters> parameters = parameters(r.getString(2), r.getString(3), nullableBoolean(r, 4));
                    if (parameters.isPresent()) {
                        bindings.add(new Bound(r.getString(1), r.getString(2), parameters.get(), r.getLong(5)));
                    }
                }
            }
            return new Contents(version, bindings);
        });
    }

    // ---- transactions ----------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** A write transaction: the change counter first (lock), the work, commit, forced to disk. */
    private <T> T write(Work<T> work) {
        return transaction(c -> {
            update(c, "UPDATE broker_change SET version = version + 1 WHERE id = 1");
            return work.run(c);
        }, true);
    }

    private <T> T read(Work<T> work) {
        return transaction(work, false);
    }

    private <T> T transaction(Work<T> work, boolean write) {
        try (Connection c = database.connection()) {
            try {
                T result = work.run(c);
                // A write that changed nothing is rolled back: the counter stays, no gateway reloads.
                if (write && (result == Change.CREATED || result == Change.DELETED)) {
                    c.commit();
                    database.afterCommit(c);
                } else {
                    c.rollback();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw BrokerUnavailableException.from(e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the transaction died with it
        }
    }

    // ---- statements ------------------------------------------------------------------------

    private static long readVersion(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM broker_change WHERE id = 1");
             ResultSet r = s.executeQuery()) {
            if (!r.next()) {
                throw new SQLException("broker_change has no row; the schema was changed by hand");
            }
            return r.getLong(1);
        }
    }

    private static Optional<ServiceInstance> instance(Connection c, String instanceId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT service_id, plan_id, organization_guid, space_guid "
                + "FROM broker_service_instance WHERE instance_id = ?")) {
            s.setString(1, instanceId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ServiceInstance(instanceId, r.getString(1), r.getString(2),
                        Optional.ofNullable(r.getString(3)), Optional.ofNullable(r.getString(4))));
            }
        }
    }

    private static void insertInstance(Connection c, ServiceInstance instance) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO broker_service_instance "
                + "(instance_id, service_id, plan_id, organization_guid, space_guid, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, instance.instanceId());
            s.setString(2, instance.serviceId());
            s.setString(3, instance.planId());
            s.setString(4, instance.organizationGuid().orElse(null));
            s.setString(5, instance.spaceGuid().orElse(null));
            s.setTimestamp(6, Timestamp.from(Instant.now()));
            s.executeUpdate();
        }
    }

    private static Optional<ServiceBinding> binding(Connection c, String bindingId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT instance_id, app_guid, endpoint, scrape FROM broker_service_binding WHERE binding_id = ?")) {
            s.setString(1, bindingId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                BindingParameters parameters = parameters(bindingId, r.getString(3), nullableBoolean(r, 4))
                        .orElse(BindingParameters.NONE);
                return Optional.of(new ServiceBinding(bindingId, r.getString(1), r.getString(2), parameters));
            }
        }
    }

    /**
     * A stored binding's parameters, checked again: a path this version of the gateway refuses
     * (the rule may have become stricter since the bind) is left out with a warning, never scraped.
     */
    private static Optional<BindingParameters> parameters(String bindingId, String endpoint, Optional<Boolean> scrape) {
        if (endpoint == null) {
            return Optional.of(new BindingParameters(Optional.empty(), scrape));
        }
        try {
            return Optional.of(new BindingParameters(Optional.of(MetricPath.validate(endpoint)), scrape));
        } catch (IllegalArgumentException e) {
            LOG.warn("binding {}: stored endpoint refused ({}); the binding is ignored", bindingId, e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Boolean> nullableBoolean(ResultSet r, int column) throws SQLException {
        boolean value = r.getBoolean(column);
        return r.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private static int update(Connection c, String sql, String... arguments) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                s.setString(i + 1, arguments[i]);
            }
            return s.executeUpdate();
        }
    }
}
