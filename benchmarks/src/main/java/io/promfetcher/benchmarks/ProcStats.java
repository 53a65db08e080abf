package io.promfetcher.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a process has cost so far, read from Linux's {@code /proc}: CPU time and memory. */
final class ProcStats {
    /** Clock ticks per second of /proc/PID/stat (USER_HZ; 100 on every Linux of this decade). */
    private static final double TICKS = 100.0;

    private ProcStats() {}

    /** User plus system CPU seconds of the process and of all its live descendants (nginx's workers). */
    static double cpuSeconds(long pid) {
        double total = ownCpuSeconds(pid);
        for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(java.util.List.of())) {
            total += ownCpuSeconds(child.pid());
        }
        return total;
    }

    /** CPU seconds of this JVM (the load generator, when it runs inside the benchmark program). */
    static double selfCpuSeconds() {
        return ownCpuSeconds(ProcessHandle.current().pid());
    }

    private static double ownCpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name (which is in parentheses and may hold spaces).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** Resident memory now, in KiB. */
    static long rssKb(long pid) {
        return status(pid, "VmRSS:");
    }

    /** Peak resident memory so far (VmHWM), in KiB. */
    static long peakRssKb(long pid) {
        return status(pid, "VmHWM:");
    }

    private static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
