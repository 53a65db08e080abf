package io.promfetcher.benchmarks;

import io.promfetcher.routes.RegistrationDecoder;
import io.promfetcher.routes.RouteTable;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;

/**
 * Heap retained per instance by a route table of a large foundation (default 10,000 apps × 10
 * instances = 100,000 instances). Measured as live heap after full GCs, with and without the table,
 * in one JVM. Run: {@code java -Xmx1g -cp benchmarks/target/benchmarks.jar
 * io.promfetcher.benchmarks.RouteTableFootprint [apps] [instancesPerApp]}.
 */
public final class RouteTableFootprint {
    private RouteTableFootprint() {}

    public static void main(String[] args) throws Exception {
        int apps = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int perApp = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        byte[][] messages = RouteMessages.foundation(apps, perApp);
        RegistrationDecoder decoder = new RegistrationDecoder();
        long messageBytes = 0;
        for (byte[] m : messages) {
            messageBytes += m.length;
            decoder.decode(m); // warm the decoder so its classes and caches are in the baseline
        }
        long before = liveHeap();
        RouteTable table = new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false);
        for (byte[] m : messages) {
            table.register(decoder.decode(m));
        }
        long after = liveHeap();
        int instances = table.instanceCount();
        System.out.printf("instances=%d apps=%d routes=%d%n", instances, table.appCount(), table.routeCount());
        System.out.printf("retained heap: %.1f MiB, %.0f bytes per instance (announcement JSON: %.0f bytes per message)%n",
                (after - before) / 1048576.0, (after - before) / (double) instances, messageBytes / (double) messages.length);
        if (table.appCount() < 0) {
            System.out.println(messages.length); // keep messages reachable across the measurement
        }
    }

    private static long liveHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
