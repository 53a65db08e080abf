package io.promfetcher.benchmarks;

import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.NginxServer;
import java.nio.file.Path;

/**
 * App instances for load runs: ONE nginx serving the same exposition file at {@code /metrics}
 * for every instance, each instance at its own loopback address (127.1.y.z) on one port, so a
 * foundation's 50,000 instances are 50,000 distinct endpoints (as many connection pools in the
 * gateway as on a real foundation) behind one listening socket. A listener per instance is not
 * possible here: every listener is a file descriptor, and this machine's hard limit is 20,000
 * per process (nginx stopped with "Too many open files" at the 19,990th of 50,000 addresses).
 * nginx listens on the wildcard address (the only way one socket accepts all of 127/8) and serves
 * loopback callers only. The bodies are not compressed: on a foundation the instances run on
 * other machines, here their gzip would take CPU from the gateway.
 */
final class InstanceFarm implements AutoCloseable {
    private final NginxServer nginx;

    /** nginx with {@code workers} worker processes serving {@code body}; not started. */
    InstanceFarm(Path body, int workers) {
        int port = FreePort.find();
        nginx = new NginxServer(port, """
                  keepalive_requests 1000000;
                  keepalive_timeout 120s;
                  server {
                    listen %d reuseport backlog=4096;
                    allow 127.0.0.0/8;
                    deny all;
                    gzip off;
                    location = /metrics { default_type "text/plain; version=0.0.4; charset=utf-8"; alias %s; }
                  }
                """.formatted(port, body.toAbsolutePath()))
                .withWorkers(workers)
                .withWorkerConnections(16_000);
    }

    InstanceFarm start() {
        nginx.start();
        return this;
    }

    int port() {
        return nginx.port();
    }

    /** The loopback address of instance {@code n} (0-based; up to 62,500 instances). */
    static String address(int n) {
        if (n < 0 || n >= 250 * 250) {
            throw new IllegalArgumentException("instance number out of range: " + n);
        }
        return "127.1." + (n / 250) + "." + (n % 250 + 1);
    }

    /** nginx's process (the master; its workers are its children). */
    NginxServer nginx() {
        return nginx;
    }

    @Override
    public void close() {
        nginx.close();
    }
}
