package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.promfetcher.testkit.FreePort;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.testkit.NginxServer;
import io.promfetcher.testkit.PrometheusServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The topology an operator runs at scale, all real processes on loopback: a NATS cluster of three
 * nats-server, route announcements published into it as route-emitter would; two gateways (the
 * jar) that list all three servers, behind nginx standing in for gorouter; a Prometheus HA pair
 * with the shipped {@code prometheus.yml}; two shards with the shipped
 * {@code prometheus-sharded.yml}; app instances served by nginx. Intervals are shortened to
 * seconds, addresses replaced; nothing else of the shipped files changes. The NATS server that a
 * gateway is connected to is killed last, and no route may be lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutTopologyIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int APPS = 12;
    private static final int INSTANCES = 2;
    private static final String EXPOSITION = """
            # HELP demo_requests_total Requests handled.
            # TYPE demo_requests_total counter
            demo_requests_total{route="/"} 7
            """;

    private static final List<AutoCloseable> RESOURCES = new ArrayList<>();
    private static List<NatsServer> nats;
    private static final List<Gateway> GATEWAYS = new ArrayList<>();
    private static final Map<String, PrometheusServer> PROMETHEUS = new java.util.LinkedHashMap<>();
    private static final Set<String> APP_GUIDS = new TreeSet<>();
    private static ScheduledExecutorService announcer;
    private static Path logs;

    /** A gateway process and its ports. */
    record Gateway(Process process, int apiPort, Path log) {
        String url() {
            return "http://127.0.0.1:" + apiPort;
        }
    }

    @BeforeAll
    static void startTheTopology() throws Exception {
        // Gateway logs and the instances' body where a failed CI run keeps them.
        logs = Files.createDirectories(Path.of("target", "scale-out-topology")).toAbsolutePath();
        nats = NatsServer.cluster(3);
        RESOURCES.addAll(nats);

        Path body = Files.writeString(logs.resolve("metrics.txt"), EXPOSITION);
        List<Integer> instancePorts = new ArrayList<>();
        StringBuilder instanceServers = new StringBuilder();
        for (int i = 0; i < APPS * INSTANCES; i++) {
            int port = FreePort.find();
            instancePorts.add(port);
            instanceServers.append("server { listen 127.0.0.1:%d; location = /metrics { default_type \"text/plain; version=0.0.4\"; alias %s; } }\n"
                    .formatted(port, body));
        }
        NginxServer instances = new NginxServer(instancePorts.get(0), instanceServers.toString());
        RESOURCES.add(instances);
        instances.start();

        announce(instancePorts);

        for (int g = 0; g < 2; g++) {
            GATEWAYS.add(startGateway(g));
        }
        int lbPort = FreePort.find();
        NginxServer gorouter = new NginxServer(lbPort, """
                upstream gateways { server 127.0.0.1:%d; server 127.0.0.1:%d; keepalive 16; }
                server {
                  listen 127.0.0.1:%d;
                  location / {
                    proxy_pass http://gateways;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    # /v1/sd advertises the address the caller used: the router's, not a gateway's.
                    proxy_set_header Host $http_host;
                  }
                }
                """.formatted(GATEWAYS.get(0).apiPort(), GATEWAYS.get(1).apiPort(), lbPort));
        RESOURCES.add(gorouter);
        gorouter.start();
        String router = "127.0.0.1:" + lbPort;
        for (Gateway g : GATEWAYS) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(sdApps(g.url())).as("apps in " + g.log()).hasSize(APPS));
        }

        String paired = adapt(Files.readString(ShippedFiles.prometheusConfig()), router);
        String sharded = adapt(Files.readString(ShippedFiles.shardedPrometheusConfig()), router);
        PROMETHEUS.put("ha-a", prometheus(paired));
        PROMETHEUS.put("ha-b", prometheus(paired));
        PROMETHEUS.put("shard-0", prometheus(sharded));
        PROMETHEUS.put("shard-1", prometheus(shard(sharded, 1)));
    }

    @AfterAll
    static void stopTheTopology() {
        if (announcer != null) {
            announcer.shutdownNow();
        }
        for (Gateway g : GATEWAYS) {
            g.process().destroy();
        }
        for (Gateway g : GATEWAYS) {
            try {
                if (!g.process().waitFor(20, TimeUnit.SECONDS)) {
                    g.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        PROMETHEUS.values().forEach(PrometheusServer::close);
        for (AutoCloseable r : RESOURCES) {
            try {
                r.close();
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
    }

    @Test
    @Order(1)
    void bothPrometheusServersOfTheHaPairScrapeEveryInstanceOfEveryApp() {
        Set<String> expected = new TreeSet<>();
        for (String app : APP_GUIDS) {
            for (int i = 0; i < INSTANCES; i++) {
                expected.add(app + "/" + i);
            }
        }
        for (String name : List.of("ha-a", "ha-b")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                    assertThat(seriesKeys(PROMETHEUS.get(name), "demo_requests_total{job=\"cf-apps\"}")).as(name).isEqualTo(expected));
        }
        assertThat(upApps(PROMETHEUS.get("ha-a"))).isEqualTo(APP_GUIDS).isEqualTo(upApps(PROMETHEUS.get("ha-b")));
    }

    @Test
    @Order(2)
    void theTwoShardsSplitTheAppsSoEachIsScrapedByExactlyOneAndTogetherAll() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            Set<String> shard0 = upApps(PROMETHEUS.get("shard-0"));
            Set<String> shard1 = upApps(PROMETHEUS.get("shard-1"));
            Set<String> union = new TreeSet<>(shard0);
            union.addAll(shard1);
            Set<String> both = new HashSet<>(shard0);
            both.retainAll(shard1);

            assertThat(shard0).as("shard 0").isNotEmpty();
            assertThat(shard1).as("shard 1").isNotEmpty();
            assertThat(both).as("apps scraped by both shards").isEmpty();
            assertThat(union).isEqualTo(APP_GUIDS);
        });
        // The split is Prometheus's own: the other shard's apps are discovered and dropped by relabelling.
        for (String shard : List.of("shard-0", "shard-1")) {
            JsonNode targets = json(PROMETHEUS.get(shard).get("/api/v1/targets?state=any")).path("data");
            long active = count(targets.path("activeTargets"), "cf-apps");
            long dropped = count(targets.path("droppedTargets"), "cf-apps");
            assertThat(active + dropped).as(shard).isEqualTo(APPS);
        }
    }

    @Test
    @Order(3)
    void theLoadBalancerSpreadsScrapesOverBothGateways() throws Exception {
        for (Gateway g : GATEWAYS) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                    assertThat(metric(g, "promfetcher_http_requests_total\\{(?=[^}]*endpoint=\"apps\")(?=[^}]*code=\"200\")[^}]*}"))
                            .as("app scrapes answered by " + g.url()).isGreaterThan(0));
        }
    }

    @Test
    @Order(4)
    void killingTheNatsServerAGatewayUsesLosesNoRoute() throws Exception {
        NatsServer used = nats.stream().max(Comparator.comparingInt(s -> s.clientConnections("promfetcher"))).orElseThrow();
        assertThat(used.clientConnections("promfetcher")).as("gateways connected to the server killed").isPositive();
        double before = 0;
        for (Gateway g : GATEWAYS) {
            before += metric(g, "promfetcher_nats_reconnects_total");
        }
        double reconnectsBefore = before;

        used.kill();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
            double reconnects = 0;
            for (Gateway g : GATEWAYS) {
                assertThat(metric(g, "promfetcher_nats_connected")).as(g.url() + " connected").isEqualTo(1);
                reconnects += metric(g, "promfetcher_nats_reconnects_total");
            }
            assertThat(reconnects).as("reconnections after the kill").isGreaterThan(reconnectsBefore);
        });
        // Longer than the stale threshold (3 s) and the grace after reconnecting (1 s): a route not
        // re-announced through the surviving servers would have been pruned by now.
        Thread.sleep(5_000);
        for (Gateway g : GATEWAYS) {
            assertThat(metric(g, "promfetcher_routes_instances")).as(g.url()).isEqualTo(APPS * INSTANCES);
            assertThat(sdApps(g.url())).isEqualTo(APP_GUIDS);
        }
        long since = System.currentTimeMillis() / 1000;
        for (String name : PROMETHEUS.keySet()) {
            PrometheusServer p = PROMETHEUS.get(name);
            String fresh = "count(timestamp(up{job=\"cf-apps\"} == 1) > " + since + ")";
            int expected = name.startsWith("shard") ? upApps(p).size() : APPS;
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                    assertThat(json(p.query(fresh)).path("data").path("result").path(0).path("value").path(1).asInt())
                            .as(name + ": apps scraped successfully after the kill").isEqualTo(expected));
        }
    }

    private static void announce(List<Integer> instancePorts) throws Exception {
        Connection publisher = Nats.connect(new Options.Builder().server(NatsServer.urls(nats))
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(100)).connectionName("route-emitter").build());
        RESOURCES.add(publisher::close);
        List<byte[]> messages = new ArrayList<>();
        for (int a = 0; a < APPS; a++) {
            String app = "a0000000-0000-4000-8000-%012d".formatted(a);
            APP_GUIDS.add(app);
            for (int i = 0; i < INSTANCES; i++) {
                messages.add(("{\"host\":\"127.0.0.1\",\"port\":%d,\"uris\":[\"app-%d.apps.internal\"],\"app\":\"%s\","
                        + "\"private_instance_id\":\"%s-%d\",\"private_instance_index\":\"%d\",\"tags\":{\"component\":\"route-emitter\","
                        + "\"app_id\":\"%s\",\"app_name\":\"app-%d\",\"organization_id\":\"o1\",\"organization_name\":\"scale\","
                        + "\"space_id\":\"s1\",\"space_name\":\"out\",\"instance_id\":\"%d\"}}")
                        .formatted(instancePorts.get(a * INSTANCES + i), a, app, app, i, i, app, a, i)
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        // Every second, as route-emitter does every 20 s, through whichever server the publisher has.
        announcer = Executors.newSingleThreadScheduledExecutor();
        announcer.scheduleAtFixedRate(() -> messages.forEach(m -> publisher.publish("router.register", m)), 0, 1, TimeUnit.SECONDS);
    }

    private static Gateway startGateway(int n) throws IOException {
        int api = FreePort.find();
        Path log = logs.resolve("gateway-" + n + ".log");
        ProcessBuilder builder = GatewayJar.builder(Map.of(
                "PROMFETCHER_PORT", Integer.toString(api),
                "PROMFETCHER_HEALTH_PORT", Integer.toString(FreePort.find()),
                "PROMFETCHER_NATS_SERVERS", NatsServer.urls(nats),
                "PROMFETCHER_NATS_RECONNECT_WAIT", "200ms",
                "PROMFETCHER_ROUTES_REGISTER_INTERVAL", "1s",
                "PROMFETCHER_ROUTES_STALE_THRESHOLD", "3s",
                "PROMFETCHER_ROUTES_PRUNE_INTERVAL", "500ms",
                "PROMFETCHER_LOG_ACCESS", "false"));
        builder.redirectOutput(log.toFile());
        return new Gateway(builder.start(), api, log);
    }

    private static PrometheusServer prometheus(String config) throws IOException {
        PrometheusServer p = new PrometheusServer(config);
        p.writeFile(ShippedFiles.alertRules().getFileName().toString(), Files.readString(ShippedFiles.alertRules()));
        p.start();
        return p;
    }

    /** The shipped file with seconds for intervals and this test's router for the gateway address. */
    private static String adapt(String config, String router) {
        String adapted = replaceOnce(config, "scrape_interval: 30s", "scrape_interval: 1s");
        adapted = replaceOnce(adapted, "scrape_timeout: 20s", "scrape_timeout: 1s");
        adapted = replaceOnce(adapted, "evaluation_interval: 30s", "evaluation_interval: 1s");
        adapted = replaceOnce(adapted, "refresh_interval: 30s", "refresh_interval: 1s");
        // The gateways' own metrics from each gateway, the apps through the router.
        adapted = replaceOnce(adapted, "targets: [\"127.0.0.1:8085\"]", "targets: [\"127.0.0.1:%d\", \"127.0.0.1:%d\"]"
                .formatted(GATEWAYS.get(0).apiPort(), GATEWAYS.get(1).apiPort()));
        return replaceOnce(adapted, "http://127.0.0.1:8085/v1/sd", "http://" + router + "/v1/sd");
    }

    /** The shard file for shard {@code n}: its external label and its keep rule, kept in step. */
    private static String shard(String config, int n) {
        String s = replaceOnce(config, "prometheus_shard: \"0\"", "prometheus_shard: \"" + n + "\"");
        return replaceOnce(s, "regex: \"0\"", "regex: \"" + n + "\"");
    }

    private static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        assertThat(at).as("the shipped file has " + from).isNotNegative();
        assertThat(text.indexOf(from, at + 1)).as("the shipped file has " + from + " once").isNegative();
        return text.replace(from, to);
    }

    /** App GUIDs whose cf-apps target is up. */
    private static Set<String> upApps(PrometheusServer p) {
        Set<String> apps = new TreeSet<>();
        for (JsonNode series : json(p.query("up{job=\"cf-apps\"} == 1")).path("data").path("result")) {
            apps.add(series.path("metric").path("app_id").asText());
        }
        return apps;
    }

    /** app_id/index of every series the query returns. */
    private static Set<String> seriesKeys(PrometheusServer p, String promql) {
        Set<String> keys = new TreeSet<>();
        for (JsonNode series : json(p.query(promql)).path("data").path("result")) {
            keys.add(series.path("metric").path("app_id").asText() + "/" + series.path("metric").path("index").asText());
        }
        return keys;
    }

    private static long count(JsonNode targets, String job) {
        long n = 0;
        for (JsonNode t : targets) {
            JsonNode labels = t.has("labels") ? t.path("labels") : t.path("discoveredLabels");
            if (job.equals(labels.path("job").asText())) {
                n++;
            }
        }
        return n;
    }

    private static Set<String> sdApps(String gateway) throws Exception {
        Set<String> apps = new TreeSet<>();
        for (JsonNode group : json(get(gateway + "/v1/sd"))) {
            apps.add(group.path("labels").path("app_id").asText());
        }
        return apps;
    }

    /** Sum of a gateway's own series matching the pattern (a name, or a name with a label pattern). */
    private static double metric(Gateway g, String pattern) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + pattern + "(?:\\{[^}]*})? ([0-9.eE+-]+)").matcher(get(g.url() + "/metrics"));
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(text, e);
        }
    }
}
