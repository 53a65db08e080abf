package io.promfetcher.broker;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The broker's database: a small connection pool to PostgreSQL (shared by every gateway) or to an
 * embedded H2 file (one gateway), its schema created and upgraded by Flyway from the migrations
 * under {@code io/promfetcher/broker/migration}. Creating it connects to nothing: the pool opens
 * connections when first asked, so a gateway starts, and serves scrapes, while the database is down.
 *
 * <p>Durability: PostgreSQL has a commit on disk when it acknowledges it. H2 by default keeps
 * commits in memory for up to half a second (a crashed gateway loses them), so the embedded URL
 * gets {@code WRITE_DELAY=0} (each commit written at once) and every write transaction ends with
 * {@code CHECKPOINT SYNC} (forced to the device, so a power cut loses nothing acknowledged either);
 * see docs/benchmarks.md, "Service broker", for what that costs.
 */
public final class BrokerDatabase implements AutoCloseable {
    /** The databases the broker is built and tested against. */
    enum Kind {
        POSTGRESQL("PostgreSQL"),
        H2("embedded H2");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** Two request threads and the refresher: broker calls are rare, and a shared server has a connection limit. */
    static final int POOL_SIZE = 3;
    private static final long EMBEDDED_OPEN_MILLIS = 30_000;

    private final Kind kind;
    private final String description;
    private final HikariDataSource pool;

    public BrokerDatabase(String url, String user, String password, Duration timeout) {
        checkUrl(url);
        this.kind = kind(url);
        this.description = kind.label + " " + withoutSecrets(url);
        HikariConfig config = new HikariConfig();
        config.setPoolName("promfetcher-broker");
        config.setJdbcUrl(kind == Kind.H2 ? h2Url(url) : url);
        if (!user.isEmpty()) {
            config.setUsername(user);
        }
        if (!password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(0);
        // The timeout is for a server that does not answer. Opening the embedded file is local work
        // (a second or two on a busy machine at start) that must not count as an outage.
        config.setConnectionTimeout(kind == Kind.H2 ? Math.max(EMBEDDED_OPEN_MILLIS, timeout.toMillis()) : Math.max(250, timeout.toMillis()));
        config.setValidationTimeout(Math.max(250, Math.min(timeout.toMillis(), 5_000)));
        // Start without a connection: a database that is down must not stop the gateway.
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(false);
        if (kind == Kind.POSTGRESQL) {
            // A dead server must fail a call within the timeout, not hang it on a TCP read.
            long seconds = Math.max(1, timeout.toSeconds());
            config.addDataSourceProperty("connectTimeout", Long.toString(seconds));
            config.addDataSourceProperty("socketTimeout", Long.toString(Math.max(30, seconds * 3)));
            config.addDataSourceProperty("ApplicationName", "promfetcher-broker");
        }
        this.pool = new HikariDataSource(config);
    }

    /**
     * Accepts the URLs of the databases the broker supports; else {@link IllegalArgumentException}
     * saying what is wrong (the configuration loader names the key).
     */
    public static void checkUrl(String url) {
        String u = url.strip();
        String lower = u.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql://")) {
            return;
        }
        if (lower.startsWith("jdbc:h2:")) {
            String rest = lower.substring("jdbc:h2:".length());
            if (rest.startsWith("mem:")) {
                throw new IllegalArgumentException("an in-memory H2 database would lose every binding at restart; use jdbc:h2:file:PATH");
            }
            if (rest.startsWith("tcp:") || rest.startsWith("ssl:")) {
                throw new IllegalArgumentException("a remote H2 server is not supported; share PostgreSQL between gateways (jdbc:postgresql://host:5432/db)");
            }
            return;
        }
        throw new IllegalArgumentException("\"" + withoutSecrets(u) + "\" is not a supported JDBC URL; use jdbc:postgresql://host:5432/db "
                + "(several gateways) or jdbc:h2:file:PATH (one gateway)");
    }

    private static Kind kind(String url) {
        return url.strip().toLowerCase(Locale.ROOT).startsWith("jdbc:h2:") ? Kind.H2 : Kind.POSTGRESQL;
    }

    /** Commits written at once; the pool, not a JVM shutdown hook, closes the database. */
    private static String h2Url(String url) {
        String u = url.strip();
        String lower = u.toLowerCase(Locale.ROOT);
        if (!lower.contains(";write_delay=")) {
            u += ";WRITE_DELAY=0";
        }
        if (!lower.contains(";db_close_on_exit=")) {
            u += ";DB_CLOSE_ON_EXIT=FALSE";
        }
        return u;
    }

    /** The URL without user-info and without password parameters, for logs, health and errors. */
    static String withoutSecrets(String url) {
        return url.replaceAll("//[^/@]*@", "//***@")
                .replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    Kind kind() {
        return kind;
    }

    /** "PostgreSQL jdbc:postgresql://db:5432/promfetcher", never with a password. */
    String description() {
        return description;
    }

    DataSource dataSource() {
        return pool;
    }

    /** A connection from the pool (auto-commit off); {@link BrokerUnavailableException} when none can be had in time. */
    Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw BrokerUnavailableException.from(e);
        }
    }

    /** What a write transaction does after its commit so that the commit survives a power cut. */
    void afterCommit(Connection connection) throws SQLException {
        if (kind == Kind.H2) {
            try (Statement s = connection.createStatement()) {
                s.execute("CHECKPOINT SYNC");
            }
        }
    }

    /**
     * Creates or upgrades the schema. Safe to run from several gateways at once (Flyway locks the
     * history table) and against a database that already holds other tables (baseline 0, so our
     * first migration still runs).
     */
    void migrate() {
        try {
            Flyway.configure(BrokerDatabase.class.getClassLoader())
                    .dataSource(pool)
                    .locations("classpath:io/promfetcher/broker/migration")
                    .table("promfetcher_broker_schema_history")
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw BrokerUnavailableException.from(e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
