package io.promfetcher.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The promfetcher BOSH job's templates, rendered with Debian's ruby and a small stand-in for the
 * director's renderer (render-bosh-template.rb: p, if_p, link, if_link, spec, spec defaults).
 */
final class BoshJob {
    /** Where BOSH puts the job on a VM; rendered files refer to each other by these paths. */
    static final String VM_JOB_DIR = "/var/vcap/jobs/promfetcher/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private BoshJob() {}

    /** Exit code, standard output and standard error of one rendering. */
    record Rendered(int exitCode, String output, String errors) {
        Rendered requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("rendering failed (" + exitCode + "): " + errors);
            }
            return this;
        }
    }

    /** The gateway's job; the other job of the release is the broker registrar errand. */
    static final String GATEWAY = "promfetcher";
    static final String REGISTRAR = "promfetcher-broker-registrar";

    static Path jobDir() {
        return jobDir(GATEWAY);
    }

    static Path jobDir(String job) {
        return ShippedFiles.boshRelease().resolve("jobs").resolve(job);
    }

    static Map<String, Object> spec() throws IOException {
        return spec(GATEWAY);
    }

    static Map<String, Object> spec(String job) throws IOException {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(jobDir(job).resolve("spec")));
    }

    /** Template source (under templates/) → destination under the job's folder, from the spec. */
    static Map<String, String> templates() throws IOException {
        return templates(GATEWAY);
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> templates(String job) throws IOException {
        return new LinkedHashMap<>((Map<String, String>) spec(job).get("templates"));
    }

    static Path renderer() {
        try {
            return Path.of(BoshJob.class.getResource("render-bosh-template.rb").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Renders one template with the given properties, links and spec (see render-bosh-template.rb). */
    static Rendered render(String template, Map<String, Object> context) throws IOException, InterruptedException {
        return render(jobDir().resolve("templates").resolve(template), context);
    }

    static Rendered render(Path template, Map<String, Object> context) throws IOException, InterruptedException {
        return ruby(GATEWAY, context, template.toString());
    }

    /** Renders one template of another job of the release. */
    static Rendered render(String job, String template, Map<String, Object> context) throws IOException, InterruptedException {
        return ruby(job, context, jobDir(job).resolve("templates").resolve(template).toString());
    }

    /** Runs the renderer with a context file and the given trailing arguments. */
    private static Rendered ruby(String job, Map<String, Object> context, String... args) throws IOException, InterruptedException {
        Path contextFile = Files.createTempFile("bosh-context-", ".json");
        Path errors = Files.createTempFile("bosh-render-", ".err");
        try {
            JSON.writeValue(contextFile.toFile(), context);
            List<String> command = new ArrayList<>(List.of("ruby", renderer().toString(),
                    jobDir(job).resolve("spec").toString(), contextFile.toString()));
            command.addAll(List.of(args));
            Process ruby = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            ruby.getOutputStream().close();
            String output = new String(ruby.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ruby.waitFor(60, TimeUnit.SECONDS)) {
                ruby.destroyForcibly();
                throw new IllegalStateException("ruby did not finish rendering in 60 s: " + command);
            }
            return new Rendered(ruby.exitValue(), output, Files.readString(errors));
        } catch (IOException e) {
            throw new IOException("cannot run ruby (Debian package 'ruby') to render the BOSH templates", e);
        } finally {
            Files.deleteIfExists(contextFile);
            Files.deleteIfExists(errors);
        }
    }

    /**
     * Renders every template of the spec into {@code target} as BOSH lays them out under
     * /var/vcap/jobs/promfetcher, with that prefix replaced by {@code target} so the files can be
     * used here (the configuration names the certificate files by their VM path).
     */
    static Path renderJob(Map<String, Object> context, Path target) throws IOException, InterruptedException {
        ruby(GATEWAY, context, "--all", target.toString()).requireSuccess();
        for (String destination : templates().values()) {
            Path file = target.resolve(destination);
            Files.writeString(file, Files.readString(file).replace(VM_JOB_DIR, target.toAbsolutePath() + "/"));
        }
        return target;
    }
}
