package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The example deployment manifest and the cf-deployment ops file only set properties the job declares. */
class BoshManifestsTest {
    private static Object yaml(Path file) throws IOException {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }

    private static List<String> declared() throws IOException {
        return declared("promfetcher");
    }

    @SuppressWarnings("unchecked")
    private static List<String> declared(String job) throws IOException {
        Map<String, Object> spec = (Map<String, Object>) yaml(ShippedFiles.boshRelease().resolve("jobs/" + job + "/spec"));
        return new ArrayList<>(((Map<String, Object>) spec.get("properties")).keySet());
    }

    /** Dotted names of the leaves of a properties tree: {"a": {"b": 1}} → ["a.b"]. */
    @SuppressWarnings("unchecked")
    static List<String> leaves(Map<String, Object> tree, String prefix, List<String> declared) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : tree.entrySet()) {
            String name = prefix + e.getKey();
            // A declared property may itself hold a map or list; stop there.
            if (e.getValue() instanceof Map<?, ?> child && !declared.contains(name)) {
                out.addAll(leaves((Map<String, Object>) child, name + ".", declared));
            } else {
                out.add(name);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> promfetcherJob(List<Map<String, Object>> instanceGroups) {
        for (Map<String, Object> group : instanceGroups) {
            for (Map<String, Object> job : (List<Map<String, Object>>) group.get("jobs")) {
                if ("promfetcher".equals(job.get("name"))) {
                    return job;
                }
            }
        }
        throw new AssertionError("no promfetcher job");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theStandAloneManifestSetsOnlyDeclaredPropertiesAndRunsUnderBpm() throws IOException {
        Map<String, Object> manifest = (Map<String, Object>) yaml(ShippedFiles.boshRelease().resolve("manifests/promfetcher.yml"));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) manifest.get("instance_groups");
        Map<String, Object> job = promfetcherJob(groups);

        assertThat(leaves((Map<String, Object>) job.get("properties"), "", declared())).isNotEmpty()
                .allSatisfy(p -> assertThat(declared()).contains(p));
        assertThat((List<Map<String, Object>>) groups.get(0).get("jobs")).extracting(j -> j.get("name")).contains("bpm");
        assertThat((List<Map<String, Object>>) manifest.get("releases")).extracting(r -> r.get("name")).contains("promfetcher", "bpm");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCfDeploymentOpsFileAddsAnInstanceGroupWithDeclaredPropertiesOnly() throws IOException {
        List<Map<String, Object>> ops = (List<Map<String, Object>>) yaml(ShippedFiles.boshRelease().resolve("manifests/add-promfetcher-to-cf.yml"));
        assertThat(ops).allSatisfy(op -> assertThat(op).containsEntry("type", "replace").containsKeys("path", "value"));
        Map<String, Object> group = ops.stream().filter(op -> ((String) op.get("path")).startsWith("/instance_groups/"))
                .map(op -> (Map<String, Object>) op.get("value")).findFirst().orElseThrow();
        Map<String, Object> job = promfetcherJob(List.of(group));

        assertThat(leaves((Map<String, Object>) job.get("properties"), "", declared()))
                .contains("promfetcher.nats.tls.client_cert", "promfetcher.nats.tls.client_key")
                .allSatisfy(p -> assertThat(declared()).contains(p));
        assertThat(Files.readString(ShippedFiles.boshRelease().resolve("manifests/add-promfetcher-to-cf.yml")))
                .contains("((nats_client_cert.certificate))", "((nats_client_cert.private_key))");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAuthorizationOpsFileSetsOnlyDeclaredPropertiesOfTheJob() throws IOException {
        List<Map<String, Object>> ops = (List<Map<String, Object>>) yaml(
                ShippedFiles.boshRelease().resolve("manifests/promfetcher-cf-authorization.yml"));
        String prefix = "/instance_groups/name=promfetcher/jobs/name=promfetcher/properties/";
        List<String> set = new ArrayList<>();
        for (Map<String, Object> op : ops) {
            String path = (String) op.get("path");
            if (path.startsWith(prefix) && op.get("value") instanceof Map<?, ?> value) {
                String base = path.substring(prefix.length()).replace("?", "").replace('/', '.');
                set.addAll(leaves((Map<String, Object>) value, base + ".", declared()));
            }
        }
        assertThat(set).contains("promfetcher.cf.api_url", "promfetcher.cf.client_id", "promfetcher.cf.client_secret",
                "promfetcher.auth.mode").allSatisfy(p -> assertThat(declared()).contains(p));
        assertThat(ops).anySatisfy(op -> assertThat(op).containsEntry("type", "remove")
                .containsEntry("path", prefix + "promfetcher/routes/api"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theBrokerOpsFileSetsDeclaredPropertiesAndAddsTheRegistrarErrand() throws IOException {
        Path file = ShippedFiles.boshRelease().resolve("manifests/enable-promfetcher-broker.yml");
        List<Map<String, Object>> ops = (List<Map<String, Object>>) yaml(file);
        assertThat(ops).allSatisfy(op -> assertThat(op).containsEntry("type", "replace").containsKeys("path", "value"));

        Map<String, Object> broker = ops.stream().filter(op -> op.get("path").equals(
                "/instance_groups/name=promfetcher/jobs/name=promfetcher/properties/promfetcher/broker?"))
                .map(op -> (Map<String, Object>) op.get("value")).findFirst().orElseThrow();
        assertThat(leaves(broker, "promfetcher.broker.", declared())).contains("promfetcher.broker.enabled", "promfetcher.broker.password")
                .allSatisfy(p -> assertThat(declared()).contains(p));

        Map<String, Object> errand = ops.stream().filter(op -> op.get("path").equals("/instance_groups/name=promfetcher-broker-registrar?"))
                .map(op -> (Map<String, Object>) op.get("value")).findFirst().orElseThrow();
        assertThat(errand).containsEntry("lifecycle", "errand");
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) errand.get("jobs");
        assertThat(jobs).extracting(j -> j.get("name")).containsExactly("cf-cli-8-linux", "promfetcher-broker-registrar");
        Map<String, Object> registrar = jobs.get(1);
        assertThat(leaves((Map<String, Object>) registrar.get("properties"), "", declared("promfetcher-broker-registrar")))
                .isNotEmpty().allSatisfy(p -> assertThat(declared("promfetcher-broker-registrar")).contains(p));
        assertThat(Files.readString(file)).contains("((promfetcher_broker_password))", "((promfetcher_database_password))", "from: postgres");
    }
}
