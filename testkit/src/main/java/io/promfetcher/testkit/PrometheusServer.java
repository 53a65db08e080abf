package io.promfetcher.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The real Prometheus server (Debian's {@code prometheus}) on a free loopback port, with the
 * configuration a test gives it (use {@code {{port}}} nowhere: the server's own port is chosen
 * here). {@link #query} runs an instant PromQL query and returns the HTTP API's JSON.
 */
public final class PrometheusServer extends ServerProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path config;
    private final List<String> flags;

    public PrometheusServer(String configYaml) {
        this(configYaml, List.of());
    }

    /** With extra command-line flags, e.g. {@code --enable-feature=native-histograms}. */
    public PrometheusServer(String configYaml, List<String> extraFlags) {
        super("prometheus", FreePort.find());
        this.flags = List.copyOf(extraFlags);
        try {
            config = Files.writeString(workDir().resolve("prometheus.yml"), configYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an extra file (e.g. rules) beside the configuration and returns its path. */
    public Path writeFile(String name, String content) {
        try {
            return Files.writeString(workDir().resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    protected List<String> command() {
        List<String> command = new java.util.ArrayList<>(List.of("prometheus",
                "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + port(),
                "--storage.tsdb.path=" + workDir().resolve("data"),
                "--web.enable-lifecycle",
                "--log.level=warn"));
        command.addAll(flags);
        return command;
    }

    /** An instant query; the JSON answer of /api/v1/query. */
    public String query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** GET on Prometheus' HTTP API, e.g. {@code /api/v1/targets}. */
    public String get(String pathAndQuery) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
