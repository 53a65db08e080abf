package io.promfetcher.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The real {@code nats-server} on a free loopback port. Restartable on the same port, so tests can
 * simulate a broker outage. Extra arguments (TLS, authorization) go through {@link #withArgs};
 * {@link #cluster} starts several that route to each other, as cf-deployment's NATS VMs do.
 */
public final class NatsServer extends ServerProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern NUM_ROUTES = Pattern.compile("\"num_routes\"\\s*:\\s*(\\d+)");
    private static final Pattern CLIENTS = Pattern.compile("\"num_connections\"\\s*:\\s*(\\d+)");
    private final List<String> extraArgs = new ArrayList<>();
    private final int monitoringPort = FreePort.find();

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

    /**
     * {@code size} servers clustered (each listens for routes and lists every other's route URL),
     * started, and returned once every server has a route to every other.
     */
    public static List<NatsServer> cluster(int size) {
        List<Integer> routePorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            routePorts.add(FreePort.find());
        }
        String routes = routePorts.stream().map(p -> "nats://127.0.0.1:" + p).collect(Collectors.joining(","));
        List<NatsServer> servers = new ArrayList<>();
        try {
            for (int port : routePorts) {
                // Listing itself among the routes is harmless: nats-server skips its own URL.
                NatsServer server = new NatsServer().withArgs("--cluster_name", "testkit",
                        "--cluster", "nats://127.0.0.1:" + port, "--routes", routes);
                servers.add(server);
                server.start();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!servers.stream().allMatch(s -> s.routes() == size - 1)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the NATS cluster did not form in 20 s: routes per server "
                            + servers.stream().map(s -> Integer.toString(s.routes())).toList());
                }
                sleep(100);
            }
            return servers;
        } catch (RuntimeException e) {
            servers.forEach(NatsServer::close);
            throw e;
        }
    }

    /** The client URLs of servers, comma-separated, as a client's server list takes them. */
    public static String urls(List<NatsServer> servers) {
        return servers.stream().map(NatsServer::url).collect(Collectors.joining(","));
    }

    public String url() {
        return "nats://127.0.0.1:" + port();
    }

    /** Routes to other cluster members this server has now (its monitoring endpoint's {@code /routez}). */
    public int routes() {
        return monitored("/routez", NUM_ROUTES);
    }

    /** Client connections this server has now ({@code /connz}). */
    public int clientConnections() {
        return monitored("/connz", CLIENTS);
    }

    /** Client connections now open under this connection name (the gateway's is "promfetcher"). */
    public int clientConnections(String name) {
        if (!isRunning()) {
            return 0;
        }
        Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"" + Pattern.quote(name) + "\"").matcher(monitoring("/connz"));
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    private int monitored(String path, Pattern field) {
        if (!isRunning()) {
            return 0;
        }
        String json = monitoring(path);
        Matcher m = field.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("nats-server " + path + " without " + field + ": " + json);
        }
        return Integer.parseInt(m.group(1));
    }

    private String monitoring(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitoringPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected List<String> command() {
        List<String> command = new ArrayList<>(List.of(
                "nats-server", "-a", "127.0.0.1", "-p", Integer.toString(port()),
                "--http_port", Integer.toString(monitoringPort)));
        command.addAll(extraArgs);
        return command;
    }
}
