package io.promfetcher.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code promtool} (Debian's prometheus package, 2.42). {@code check metrics} exits 0 when
 * clean, 3 when it only has naming lint to report, 1 when the text does not parse. It reads the
 * text 0.0.4 format only.
 */
public final class Promtool {
    private Promtool() {}

    /** What {@code promtool check metrics} said about an exposition. */
    public record Verdict(int exitCode, String output) {
        /** True when promtool could parse it (naming lint may still complain). */
        public boolean parses() {
            return exitCode == 0 || exitCode == 3;
        }

        /** True when promtool had nothing to say at all. */
        public boolean clean() {
            return exitCode == 0;
        }
    }

    /** Runs {@code promtool check metrics} with the exposition on standard input. */
    public static Verdict checkMetrics(byte[] exposition) {
        return run(List.of("promtool", "check", "metrics"), exposition);
    }

    /** Runs promtool with the given arguments (e.g. {@code check config FILE}). */
    public static Verdict run(List<String> args, byte[] stdin) {
        try {
            Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            }
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("promtool did not finish in 60 s");
            }
            return new Verdict(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run promtool (Debian package 'prometheus')", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
