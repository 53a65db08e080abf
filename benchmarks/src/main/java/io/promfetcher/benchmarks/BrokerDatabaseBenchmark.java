package io.promfetcher.benchmarks;

import io.promfetcher.testkit.PostgresServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the service broker asks of its database, on each candidate, with the broker's own schema
 * (migration V1, run as plain SQL) and the broker's own statements:
 * <ul>
 *   <li>{@code bind}: one acknowledged bind, durably: raise the change counter, look for the
 *       binding, insert it, commit, and whatever makes the commit survive a power cut;</li>
 *   <li>{@code poll}: the question every gateway asks each {@code broker.refresh_interval}
 *       (read the change counter);</li>
 *   <li>{@code load}: reading every binding after a change (10,000 of them);</li>
 *   <li>{@code notifyRoundTrip} (PostgreSQL only): the alternative to polling, a change
 *       committed with {@code NOTIFY} until a listening connection has received it.</li>
 * </ul>
 * Candidates: {@code h2} (the broker's embedded setting: WRITE_DELAY=0 and CHECKPOINT SYNC after
 * each write), {@code h2-nosync} (WRITE_DELAY=0 only: survives a killed process, not a power
 * cut), {@code sqlite} (WAL, synchronous=FULL) and {@code postgresql} (a real server from
 * Debian's package, fsync on). Files go to the working directory's disk, not tmpfs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class BrokerDatabaseBenchmark {
    static final int BINDINGS = 10_000;

    @Param({"h2", "h2-nosync", "sqlite", "postgresql"})
    String database;

    private PostgresServer postgres;
    private Path dir;
    private Connection connection;
    private Connection listener;
    private boolean syncAfterCommit;
    private long n;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory(Path.of("."), "broker-bench-");
        String url;
        switch (database) {
            case "h2" -> {
                url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("broker") + ";WRITE_DELAY=0";
                syncAfterCommit = true;
            }
            case "h2-nosync" -> url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("broker") + ";WRITE_DELAY=0";
            case "sqlite" -> url = "jdbc:sqlite:" + dir.toAbsolutePath().resolve("broker.db") + "?journal_mode=WAL&synchronous=FULL";
            case "postgresql" -> {
                postgres = new PostgresServer().withFsync().startReady();
                url = postgres.createDatabase("bench");
            }
            default -> throw new IllegalArgumentException(database);
        }
        connection = connect(url);
        migrate(connection);
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.executeUpdate("INSERT INTO broker_service_instance (instance_id, service_id, plan_id, created_at) "
                    + "VALUES ('i', 's', 'p', CURRENT_TIMESTAMP)");
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (int i = 0; i < BINDINGS; i++) {
                fill(insert, "preloaded-" + i, i);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        connection.commit();
        if (database.equals("postgresql")) {
            listener = connect(url);
            listener.setAutoCommit(true);
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN broker_change");
            }
        }
    }

    private Connection connect(String url) throws SQLException {
        return postgres == null ? DriverManager.getConnection(url)
                : DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
    }

    /** The broker's migration V1, statement by statement. */
    private static void migrate(Connection c) throws Exception {
        String sql;
        try (InputStream in = BrokerDatabaseBenchmark.class.getResourceAsStream("/io/promfetcher/broker/migration/V1__service_broker.sql")) {
            if (in == null) {
                throw new IllegalStateException("migration V1 not on the class path");
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder code = new StringBuilder();
        sql.lines().filter(l -> !l.strip().startsWith("--")).forEach(l -> code.append(l).append('\n'));
        try (Statement s = c.createStatement()) {
            for (String statement : code.toString().split(";")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        }
    }

    private static final String INSERT = "INSERT INTO broker_service_binding "
            + "(binding_id, instance_id, app_guid, endpoint, scrape, change_version, created_at) VALUES (?, 'i', ?, ?, NULL, ?, CURRENT_TIMESTAMP)";

    private static void fill(PreparedStatement insert, String id, long version) throws SQLException {
        insert.setString(1, id);
        insert.setString(2, UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString());
        insert.setString(3, "/actuator/prometheus");
        insert.setLong(4, version);
    }

    @Benchmark
    public long bind() throws SQLException {
        String id = "bench-" + n++;
        try (Statement s = connection.createStatement()) {
            s.executeUpdate("UPDATE broker_change SET version = version + 1 WHERE id = 1");
        }
        long version = version();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT instance_id, app_guid, endpoint, scrape FROM broker_service_binding WHERE binding_id = ?")) {
            select.setString(1, id);
            try (ResultSet r = select.executeQuery()) {
                if (r.next()) {
                    throw new IllegalStateException("binding exists");
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            fill(insert, id, version);
            insert.executeUpdate();
        }
        connection.commit();
        if (syncAfterCommit) {
            try (Statement s = connection.createStatement()) {
                s.execute("CHECKPOINT SYNC");
            }
        }
        return version;
    }

    @Benchmark
    public long poll() throws SQLException {
        long v = version();
        connection.rollback();
        return v;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int load() throws SQLException {
        int rows = 0;
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT app_guid, binding_id, endpoint, scrape, change_version FROM broker_service_binding");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows += r.getString(1).length() + r.getString(3).length() > 0 ? 1 : 0;
            }
        }
        connection.rollback();
        return rows;
    }

    /** A committed change and its NOTIFY, until the listening connection has it (PostgreSQL only). */
    @Benchmark
    public int notifyRoundTrip() throws SQLException {
        if (listener == null) {
            return 0; // LISTEN/NOTIFY exists only on PostgreSQL: the other rows of this benchmark are empty
        }
        try (Statement s = connection.createStatement()) {
            s.executeUpdate("UPDATE broker_change SET version = version + 1 WHERE id = 1");
            s.execute("NOTIFY broker_change");
        }
        connection.commit();
        org.postgresql.PGConnection pg = listener.unwrap(org.postgresql.PGConnection.class);
        while (true) {
            org.postgresql.PGNotification[] received = pg.getNotifications(10_000);
            if (received != null && received.length > 0) {
                return received.length;
            }
        }
    }

    private long version() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT version FROM broker_change WHERE id = 1")) {
            r.next();
            return r.getLong(1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (listener != null) {
            listener.close();
        }
        connection.close();
        if (postgres != null) {
            postgres.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
