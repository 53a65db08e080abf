package io.promfetcher.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code redis-server} on a free loopback port, its data in a private temporary folder.
 * {@link #withAppendOnly()} gives the hotlist's persistence (AOF); a restart keeps the folder.
 */
public final class RedisServer extends ServerProcess {
    private boolean appendOnly;

    public RedisServer() {
        this(FreePort.find());
    }

    public RedisServer(int port) {
        super("redis-server", port);
    }

    public RedisServer withAppendOnly() {
        appendOnly = true;
        return this;
    }

    public String host() {
        return "127.0.0.1";
    }

    @Override
    protected List<String> command() {
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--bind", "127.0.0.1",
                "--port", Integer.toString(port()),
                "--dir", workDir().toString(),
                "--save", "",
                "--appendonly", appendOnly ? "yes" : "no",
                "--protected-mode", "no"));
        return command;
    }
}
