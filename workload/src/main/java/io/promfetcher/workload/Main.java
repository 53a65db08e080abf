package io.promfetcher.workload;

import io.promfetcher.workload.cleaner.Cleaner;
import io.promfetcher.workload.config.ConfigException;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.frontend.Frontend;
import io.promfetcher.workload.linkfarm.LinkFarm;
import io.promfetcher.workload.resolver.Resolver;
import io.promfetcher.workload.tracker.Tracker;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the workload jar: one subcommand per Hot URLs service, configured entirely by
 * environment variables (docs/workload.md). A bad value prints one line and exits with 2.
 */
public final class Main {
    private static final String USAGE = "usage: java -jar workload.jar <tracker|resolver|cleaner|frontend|linkfarm>"
            + " (configured by environment variables, see docs/workload.md)";

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            fail(USAGE);
        }
        String service = args[0];
        AutoCloseable running;
        try {
            running = start(service, Env.system());
        } catch (ConfigException e) {
            fail("thux " + service + ": " + e.getMessage());
            return;
        } catch (UncheckedIOException e) {
            fail("thux " + service + ": " + e.getMessage());
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM: the resolver finishes or puts back its URL in hand; all unregister their route.
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("thux " + service + ": error while stopping: " + e);
            }
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

    /** Builds and starts one service from the environment; the same path the tests take. */
    public static AutoCloseable start(String service, Env env) {
        Clock clock = Clock.systemUTC();
        return switch (service) {
            case "tracker" -> Tracker.fromEnv(env).start();
            case "resolver" -> Resolver.fromEnv(env, clock).start();
            case "cleaner" -> Cleaner.fromEnv(env, clock).start();
            case "frontend" -> Frontend.fromEnv(env).start();
            case "linkfarm" -> LinkFarm.fromEnv(env).start();
            default -> throw new ConfigException("unknown service \"" + service + "\"; " + USAGE);
        };
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }
}
