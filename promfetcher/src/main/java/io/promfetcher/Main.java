package io.promfetcher;

import io.promfetcher.api.Router;
import io.promfetcher.config.ConfigException;
import io.promfetcher.config.ConfigLoader;
import io.promfetcher.config.GatewayConfig;
import io.promfetcher.config.Key;
import io.promfetcher.config.Keys;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * The command line: {@code java -jar promfetcher.jar [--config FILE] [--check-config]
 * [--help] [--version]}. Exit codes: 0 after a normal or graceful stop, 2 for bad arguments or
 * configuration (one line on stderr, before anything listens), 1 when the gateway cannot start
 * (a port is taken).
 */
public final class Main {
    static final int OK = 0;
    static final int CANNOT_START = 1;
    static final int USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), router -> {}));
    }

    /** Runs until a signal stops the gateway; {@code extraEndpoints} lets tests add endpoints. */
    static int run(String[] args, Map<String, String> environment, Consumer<Router> extraEndpoints) {
        Optional<Path> configFile = Optional.empty();
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> {
                    usage(System.out);
                    return OK;
                }
                case "-V", "--version" -> {
                    System.out.println("promfetcher " + Version.current());
                    return OK;
                }
                case "--check-config" -> checkOnly = true;
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        return fail(USAGE, "--config needs a file name");
                    }
                    configFile = Optional.of(Path.of(args[++i]));
                }
                default -> {
                    if (arg.startsWith("--config=")) {
                        configFile = Optional.of(Path.of(arg.substring("--config=".length())));
                    } else {
                        return fail(USAGE, "unknown argument " + arg + " (try --help)");
                    }
                }
            }
        }

        GatewayConfig config;
        try {
            config = ConfigLoader.load(configFile, environment);
        } catch (ConfigException e) {
            return fail(USAGE, "configuration error: " + e.getMessage());
        }
        if (checkOnly) {
            System.out.println("configuration OK");
            return OK;
        }
        Logging.configure(config.get(Keys.LOG_LEVEL), config.get(Keys.LOG_FORMAT));

        // Handlers go in before anything listens: a signal that arrives while the gateway starts
        // (a health check can see it up before start() returns) must still shut it down
        // gracefully, not kill the JVM with the default action.
        AtomicReference<Gateway> running = new AtomicReference<>();
        CountDownLatch startDone = new CountDownLatch(1);
        handle("TERM", startDone, running, g -> g.shutdown("SIGTERM"));
        handle("INT", startDone, running, g -> g.shutdown("SIGINT"));
        handle("USR1", startDone, running, g -> g.drainAndShutdown("SIGUSR1"));
        Gateway gateway;
        try {
            gateway = Gateway.start(config, extraEndpoints);
            running.set(gateway);
        } catch (IllegalStateException e) {
            return fail(CANNOT_START, e.getMessage());
        } finally {
            startDone.countDown();
        }
        try {
            gateway.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return gateway.exitCode();
    }

    private static void handle(String signal, CountDownLatch startDone, AtomicReference<Gateway> running,
                               Consumer<Gateway> action) {
        Signal.handle(new Signal(signal), s -> {
            // Off the signal thread: the drain takes seconds, and a second signal must still be heard.
            Thread t = new Thread(() -> {
                try {
                    startDone.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                Gateway gateway = running.get();
                if (gateway != null) {
                    action.accept(gateway);
                }
            }, "shutdown-" + signal.toLowerCase(java.util.Locale.ROOT));
            t.start();
        });
    }

    private static int fail(int code, String message) {
        System.err.println("promfetcher: " + message.replaceAll("[\\r\\n]+", " "));
        return code;
    }

    private static void usage(PrintStream out) {
        out.println("""
                Usage: java -jar promfetcher.jar [--config FILE] [--check-config] [--help] [--version]

                Prometheus gateway for Cloud Foundry: one scrape endpoint per app, every instance merged.

                  --config FILE    read settings from a YAML file (keys below, nested by their dots)
                  --check-config   validate the configuration and exit (0 when valid, 2 when not)
                  --help           print this help
                  --version        print the version

                Every key can be overridden by an environment variable (shown in brackets).
                Durations: 500ms, 10s, 1m30s. Sizes: 512KB, 50MB (powers of 1024). Exit codes:
                0 stopped normally, 1 cannot start (e.g. port in use), 2 bad arguments or configuration.

                Settings:""");
        for (Key<?> key : Keys.ALL) {
            String def = key.formattedDefault();
            out.printf("  %-30s %s%n  %-30s [%s]%s%n", key.name(), key.description(), "",
                    key.environmentVariable(), def.isEmpty() ? "" : " default: " + def);
        }
    }
}
