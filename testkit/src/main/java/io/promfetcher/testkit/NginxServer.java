package io.promfetcher.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real {@code nginx} (Debian's package, {@code /usr/sbin/nginx}) as a child process with the
 * {@code http { }} content a test gives it: app instances serving an exposition, a load balancer
 * standing in for gorouter. Its pid file and temporary folders are in its own work folder and its
 * errors in {@link #logFile()}, so it runs the same as root and as any other user. {@link #port()} is the port
 * {@link #start()} waits for; the test's server blocks may listen on more.
 */
public final class NginxServer extends ServerProcess {
    private static final Path BINARY = Path.of("/usr/sbin/nginx");
    private final String http;
    private int workers = 1;
    private int workerConnections = 1024;

    /**
     * @param port the port start() waits for (one of the {@code listen} ports in {@code http})
     * @param http the content of the {@code http { }} block: server blocks, upstreams, settings
     */
    public NginxServer(int port, String http) {
        super("nginx", port);
        this.http = http;
    }

    /** Worker processes (default 1). */
    public NginxServer withWorkers(int workers) {
        this.workers = workers;
        return this;
    }

    /** Connections per worker (default 1024); each also takes a file descriptor. */
    public NginxServer withWorkerConnections(int connections) {
        this.workerConnections = connections;
        return this;
    }

    /** The configuration file as written for the last start. */
    public Path configFile() {
        return workDir().resolve("nginx.conf");
    }

    @Override
    protected List<String> command() {
        Path dir = workDir();
        // Run as root (CI), the master would hand the workers to "nobody", who cannot read a
        // private temporary folder; as any other user nginx ignores the directive, so give it only then.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        String config = user + """
                worker_processes %d;
                pid %s/nginx.pid;
                error_log stderr warn;
                events { worker_connections %d; }
                http {
                  access_log off;
                  client_body_temp_path %s/client_body; proxy_temp_path %s/proxy;
                  fastcgi_temp_path %s/fastcgi; uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;
                %s
                }
                """.formatted(workers, dir, workerConnections, dir, dir, dir, dir, dir, http);
        try {
            Files.writeString(configFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Errors go to standard error, i.e. the log that a failed start quotes; -e also before the
        // configuration is read (else nginx opens /var/log/nginx, not writable by everyone).
        return List.of(BINARY.toString(), "-p", dir + "/", "-e", "stderr",
                "-c", configFile().toString(), "-g", "daemon off;");
    }
}
