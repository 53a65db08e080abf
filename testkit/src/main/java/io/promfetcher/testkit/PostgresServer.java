package io.promfetcher.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian's {@code postgresql} package) in its own cluster: {@code initdb}
 * into a private temporary folder, then {@code postgres} on a free loopback port with password
 * authentication for {@link #USER}. Restartable on the same port and data, so tests can take the
 * database away and bring it back.
 *
 * <p>PostgreSQL refuses to run as root, and CI runs as root: there the cluster belongs to the
 * {@code postgres} system user the package creates, and every server command runs as that user
 * through {@code setpriv}, which replaces itself with the command (no parent process left
 * between the test and the server, so stopping and killing reach the server itself).
 *
 * <p>{@code fsync} is off unless {@link #withFsync()} asks for it: the tests stop and crash the
 * server, never the machine, and the page cache survives those.
 */
public final class PostgresServer extends ServerProcess {
    /** The superuser initdb creates, who owns the {@code postgres} database. */
    public static final String USER = "promfetcher";
    /** Its password (scram-sha-256 over TCP). */
    public static final String PASSWORD = "test-secret";

    private final Path bin;
    private final List<String> runAs;
    private boolean fsync;
    private boolean initialized;

    public PostgresServer() {
        this(FreePort.find());
    }

    public PostgresServer(int port) {
        super("postgres", port);
        this.bin = binaries();
        this.runAs = unprivileged(workDir());
    }

    /** Commits reach the disk before they are acknowledged, as in production (slower). */
    public PostgresServer withFsync() {
        fsync = true;
        return this;
    }

    /** Starts the server (initialising the cluster the first time) and waits until it accepts logins. */
    public PostgresServer startReady() {
        start();
        awaitReady();
        return this;
    }

    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** Creates an empty database owned by {@link #USER} (one per test keeps tests apart). */
    public String createDatabase(String name) {
        run(List.of(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port()),
                "-U", USER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \"" + name + "\""),
                true);
        return jdbcUrl(name);
    }

    /**
     * Stops the server as a crash would (immediate shutdown: no checkpoint, clients cut off); the
     * next {@link #start()} recovers from the write-ahead log.
     */
    public void crash() {
        pgCtlStop("immediate");
    }

    /** Stops the server cleanly, disconnecting its clients (fast shutdown). */
    public void stopFast() {
        pgCtlStop("fast");
    }

    /** Stops the server and deletes its cluster (tens of MB); the log stays for post-mortems. */
    @Override
    public void close() {
        if (isRunning()) {
            pgCtlStop("fast");
        }
        super.close();
        if (Files.isDirectory(dataDir())) {
            try (Stream<Path> files = Files.walk(dataDir())) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    protected List<String> command() {
        if (!initialized) {
            initdb();
            initialized = true;
        }
        List<String> command = new ArrayList<>(runAs);
        command.addAll(List.of(bin.resolve("postgres").toString(),
                "-D", dataDir().toString(),
                "-p", Integer.toString(port()),
                "-c", "listen_addresses=127.0.0.1",
                // No Unix socket: nothing but TCP on our port, nothing in /var/run/postgresql.
                "-c", "unix_socket_directories=",
                "-c", "fsync=" + (fsync ? "on" : "off"),
                "-c", "max_connections=100",
                "-c", "shared_buffers=16MB"));
        return command;
    }

    private Path dataDir() {
        return workDir().resolve("data");
    }

    private void initdb() {
        Path pwfile = workDir().resolve("pwfile");
        try {
            Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
            chownToRunner(pwfile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(concat(runAs, bin.resolve("initdb").toString(), "-D", dataDir().toString(), "-U", USER,
                "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"), false);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> isReady = List.of(bin.resolve("pg_isready").toString(), "-q", "-h", "127.0.0.1",
                "-p", Integer.toString(port()), "-U", USER, "-d", "postgres");
        while (System.nanoTime() < deadline) {
            if (!isRunning()) {
                throw new IllegalStateException("postgres exited during start-up; see " + logFile());
            }
            if (exitCode(isReady) == 0) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("postgres did not accept connections within 30 s; see " + logFile());
    }

    private void pgCtlStop(String mode) {
        if (!isRunning()) {
            return;
        }
        run(concat(runAs, bin.resolve("pg_ctl").toString(), "stop", "-D", dataDir().toString(), "-m", mode, "-w", "-t", "30"),
                false);
        stop(); // reaps the exited process
    }

    private void run(List<String> command, boolean withPassword) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir().toFile()).redirectErrorStream(true);
        if (withPassword) {
            builder.environment().put("PGPASSWORD", PASSWORD);
        }
        try {
            Process p = builder.start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + " (Debian package postgresql)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int exitCode(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static List<String> concat(List<String> prefix, String... rest) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(rest));
        return all;
    }

    /**
     * The newest installed server's binaries: Debian keeps them in /usr/lib/postgresql/N/bin and
     * puts only the client tools on the PATH.
     */
    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
                        .max(Comparator.comparingInt(PostgresServer::majorVersion)).orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb"))) {
                return Path.of(dir);
            }
        }
        throw new IllegalStateException("no PostgreSQL server found (Debian package postgresql: /usr/lib/postgresql/*/bin)");
    }

    private static int majorVersion(Path versionDir) {
        try {
            return Integer.parseInt(versionDir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The command prefix that runs a server command as an unprivileged user: nothing when the
     * tests do not run as root; else {@code setpriv} to the {@code postgres} user, who is given
     * the work folder.
     */
    private static List<String> unprivileged(Path workDir) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return List.of();
        }
        chownToPostgres(workDir);
        return List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--");
    }

    private void chownToRunner(Path file) {
        if (!runAs.isEmpty()) {
            chownToPostgres(file);
        }
    }

    private static void chownToPostgres(Path path) {
        try {
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal user = users.lookupPrincipalByName("postgres");
            GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            view.setOwner(user);
            view.setGroup(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalStateException("running as root, PostgreSQL needs the 'postgres' system user "
                    + "(Debian package postgresql creates it)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
