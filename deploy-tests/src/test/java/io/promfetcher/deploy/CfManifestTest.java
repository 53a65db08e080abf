package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The Cloud Foundry manifests have the shape `cf push` expects and agree with the build. */
class CfManifestTest {
    private static final Pattern VARIABLE = Pattern.compile("\\(\\(([\\w.-]+)\\)\\)");

    static Path cf(String name) {
        return ShippedFiles.cfManifest().resolveSibling(name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) throws IOException {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> apps(Path manifest) throws IOException {
        return (List<Map<String, Object>>) yaml(manifest).get("applications");
    }

    static Map<String, Object> app(Path manifest, String name) throws IOException {
        return apps(manifest).stream().filter(a -> name.equals(a.get("name"))).findFirst().orElseThrow();
    }

    @Test
    void theWorkloadHasEveryServiceWithInstanceCountsThatShowTheFanOut() throws IOException {
        Map<String, Integer> instances = new java.util.TreeMap<>();
        for (Map<String, Object> app : apps(ShippedFiles.cfManifest())) {
            instances.put((String) app.get("name"), (Integer) app.get("instances"));
        }

        assertThat(instances).containsOnlyKeys("tracker", "resolver", "cleaner", "frontend", "linkfarm");
        assertThat(instances.get("resolver")).isEqualTo(3);
        assertThat(instances.get("frontend")).isGreaterThan(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAppHasWhatCfPushNeedsAndAnHttpHealthCheck() throws IOException {
        for (Path manifest : List.of(ShippedFiles.cfManifest(), cf("promfetcher.yml"))) {
            for (Map<String, Object> app : apps(manifest)) {
                assertThat(app).as("%s in %s", app.get("name"), manifest)
                        .containsKeys("name", "instances", "memory", "path", "buildpacks", "routes", "env")
                        .containsEntry("health-check-type", "http")
                        .containsEntry("health-check-http-endpoint", "/health");
                assertThat((List<String>) app.get("buildpacks")).containsAnyOf("java_buildpack_offline", "java_buildpack");
                Map<String, Object> env = (Map<String, Object>) app.get("env");
                assertThat(env.get("JBP_CONFIG_OPEN_JDK_JRE")).asString().contains("17.+");
                // Each app needs a router route: internal routes are not announced on NATS, so
                // promfetcher would never see the instances.
                List<Map<String, String>> routes = (List<Map<String, String>>) app.get("routes");
                assertThat(routes).anySatisfy(r -> assertThat(r.get("route")).doesNotContain("apps.internal"));
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachWorkloadAppRunsItsOwnServiceFromTheWorkloadJar() throws IOException {
        for (Map<String, Object> app : apps(ShippedFiles.cfManifest())) {
            Map<String, Object> env = (Map<String, Object>) app.get("env");
            assertThat(env.get("JBP_CONFIG_JAVA_MAIN")).asString().contains("arguments: \"" + app.get("name") + "\"");
            assertThat(app.get("path")).isEqualTo("../../workload/target/workload.jar");
        }
        assertThat(app(cf("promfetcher.yml"), "promfetcher").get("path")).isEqualTo("../../promfetcher/target/promfetcher.jar");
    }

    @Test
    void theJarPathsAreWhatTheMavenBuildProduces() throws IOException {
        Path root = ShippedFiles.repository();
        assertThat(Files.readString(root.resolve("workload/pom.xml"))).contains("<finalName>workload</finalName>");
        assertThat(Files.readString(root.resolve("promfetcher/pom.xml"))).contains("<finalName>promfetcher</finalName>");
    }

    @Test
    @SuppressWarnings("unchecked")
    void redisIsBoundAsAServiceWhereverItIsUsed() throws IOException {
        for (Map<String, Object> app : apps(ShippedFiles.cfManifest())) {
            Map<String, Object> env = (Map<String, Object>) app.get("env");
            List<String> services = (List<String>) app.getOrDefault("services", List.of());
            if (env.containsKey("INBOX_REDIS")) {
                assertThat(services).as("services of %s", app.get("name")).contains("thux-inbox");
            }
            if (env.containsKey("HOTLIST_REDIS")) {
                assertThat(services).as("services of %s", app.get("name")).contains("thux-hotlist");
            }
        }
        assertThat(apps(ShippedFiles.cfManifest())).filteredOn(a -> a.containsKey("services")).isNotEmpty();
    }

    @Test
    void everyManifestVariableHasAValueInTheExampleVarsFile() throws IOException {
        for (String[] pair : new String[][] {{"manifest.yml", "vars.yml"}, {"promfetcher.yml", "promfetcher-vars.yml"}}) {
            Map<String, Object> vars = yaml(cf(pair[1]));
            Matcher m = VARIABLE.matcher(Files.readString(cf(pair[0])));
            List<String> used = new ArrayList<>();
            while (m.find()) {
                used.add(m.group(1));
            }
            assertThat(used).as(pair[0]).isNotEmpty();
            assertThat(vars).as("%s for %s", pair[1], pair[0]).containsKeys(used.toArray(String[]::new));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSecurityGroupOpensNatsTheCellPortsAndTheBrokersDatabaseOnly() throws IOException {
        var rules = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(cf("asg-promfetcher.json")));

        assertThat(rules.isArray()).isTrue();
        List<String> ports = new ArrayList<>();
        rules.forEach(r -> {
            assertThat(r.path("protocol").asText()).isEqualTo("tcp");
            assertThat(r.path("destination").asText()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+(/\\d+)?");
            ports.add(r.path("ports").asText());
        });
        assertThat(ports).containsExactly("4222,4224", "61001-65534", "5432");
    }
}
