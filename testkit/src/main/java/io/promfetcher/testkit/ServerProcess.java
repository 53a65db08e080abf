package io.promfetcher.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server binary run as a child process on a loopback port. Its output goes to a log file
 * that failures quote, so a test that cannot start it says why.
 */
public abstract class ServerProcess implements AutoCloseable {
    private final String name;
    private final int port;
    private final Path workDir;
    private Process process;

    protected ServerProcess(String name, int port) {
        this.name = name;
        this.port = port;
        try {
            this.workDir = Files.createTempDirectory("testkit-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line; may use {@link #port()} and {@link #workDir()}. */
    protected abstract List<String> command();

    public final int port() {
        return port;
    }

    public final Path workDir() {
        return workDir;
    }

    public final Path logFile() {
        return workDir.resolve(name + ".log");
    }

    /** Starts the server and waits until its port accepts connections. */
    public final synchronized ServerProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        List<String> command = command();
        try {
            process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + " (is it installed?)", e);
        }
        awaitPort(Duration.ofSeconds(15));
        return this;
    }

    /** Kills the server abruptly (SIGKILL), as a crash would. */
    public final synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
        }
    }

    /** Stops the server politely (SIGTERM). */
    public final synchronized void stop() {
        if (process != null) {
            process.destroy();
            if (!waitFor(process)) {
                process.destroyForcibly();
                waitFor(process);
            }
        }
    }

    /** The process id, for measuring what the server costs (CPU, memory) from {@code /proc}. */
    public final synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " is not started");
        }
        return process.pid();
    }

    public final synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitPort(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + tail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not listen on port " + port + " within " + timeout + ": " + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static boolean waitFor(Process p) {
        try {
            return p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
