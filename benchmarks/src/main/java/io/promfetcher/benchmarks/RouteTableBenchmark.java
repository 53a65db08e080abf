package io.promfetcher.benchmarks;

import io.promfetcher.routes.MalformedMessageException;
import io.promfetcher.routes.Registration;
import io.promfetcher.routes.RegistrationDecoder;
import io.promfetcher.routes.RouteTable;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Registrations applied per second on one thread, beside the rate of merely decoding the same
 * messages (the baseline: applying can only be slower). {@code refresh}: the steady state of a
 * foundation, every instance re-announced into a full table. {@code fill}: building the table of a
 * foundation from empty (every message a new instance), as after a gateway restart.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RouteTableBenchmark {
    @Param({"10000"})
    int apps;

    @Param({"10"})
    int instancesPerApp;

    private byte[][] messages;
    private final RegistrationDecoder decoder = new RegistrationDecoder();
    private RouteTable full;
    private RouteTable filling;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws MalformedMessageException {
        messages = RouteMessages.foundation(apps, instancesPerApp);
        full = new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false);
        for (byte[] message : messages) {
            full.register(decoder.decode(message));
        }
    }

    @Setup(Level.Iteration)
    public void emptyTable() {
        filling = new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false);
    }

    private byte[] nextMessage() {
        byte[] message = messages[next];
        next = next + 1 == messages.length ? 0 : next + 1;
        return message;
    }

    /** Baseline: decoding only. */
    @Benchmark
    public Registration decode() throws MalformedMessageException {
        return decoder.decode(nextMessage());
    }

    /** Decode and apply to a full table: the refresh every instance sends each register interval. */
    @Benchmark
    public RouteTable refresh() throws MalformedMessageException {
        full.register(decoder.decode(nextMessage()));
        return full;
    }

    /** Decode and apply to a table being filled (new instances; refreshes once it has wrapped). */
    @Benchmark
    public RouteTable fill() throws MalformedMessageException {
        if (next == 0) {
            filling = new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false);
        }
        filling.register(decoder.decode(nextMessage()));
        return filling;
    }
}
