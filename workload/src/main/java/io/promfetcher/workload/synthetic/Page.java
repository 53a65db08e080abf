package io.promfetcher.workload.synthetic;

import java.util.Optional;

/** What the link farm answers for one URL of the synthetic world. */
public record Page(int status, Optional<String> location, Delay delay) {
    /** How long the link farm waits before answering, on top of its per-hop latency. */
    public enum Delay {
        NONE,
        SLOW,
        STALL
    }

    public static Page redirect(int status, String location) {
        return new Page(status, Optional.of(location), Delay.NONE);
    }

    public static Page ok() {
        return new Page(200, Optional.empty(), Delay.NONE);
    }

    public Page withDelay(Delay newDelay) {
        return new Page(status, location, newDelay);
    }
}
