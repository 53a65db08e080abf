package io.promfetcher.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code nats-server} on a free loopback port. Restartable on the same port, so tests can
 * simulate a broker outage. Extra arguments (TLS, authorization) go through {@link #withArgs}.
 */
public final class NatsServer extends ServerProcess {
    private final List<String> extraArgs = new ArrayList<>();

    public NatsServer() {
        this(FreePort.find());
    }

    public NatsServer(int port) {
        super("nats-server", port);
    }

    /** Adds command-line arguments, e.g. {@code --user u --pass p} or {@code -c file.conf}. */
    public NatsServer withArgs(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    public String url() {
        return "nats://127.0.0.1:" + port();
    }

    @Override
    protected List<String> command() {
        List<String> command = new ArrayList<>(List.of(
                "nats-server", "-a", "127.0.0.1", "-p", Integer.toString(port())));
        command.addAll(extraArgs);
        return command;
    }
}
