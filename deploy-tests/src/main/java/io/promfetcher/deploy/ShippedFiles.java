package io.promfetcher.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the deployment files this project ships live in a checkout, so tests (here and in other
 * modules) name them in one place. The repository root comes from the system property
 * {@code promfetcher.repo} (set by this module's build) or is found by walking up from the
 * working directory to the folder that holds {@code manifests/}.
 */
public final class ShippedFiles {
    private ShippedFiles() {}

    /** The checkout's root folder. */
    public static Path repository() {
        String configured = System.getProperty("promfetcher.repo", "");
        if (!configured.isBlank()) {
            return requireRoot(Path.of(configured).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("manifests")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root (a folder with manifests/ and pom.xml) above "
                + Path.of("").toAbsolutePath() + "; set -Dpromfetcher.repo=<checkout>");
    }

    private static Path requireRoot(Path dir) {
        if (!Files.isDirectory(dir.resolve("manifests"))) {
            throw new IllegalStateException("promfetcher.repo=" + dir + " has no manifests/ folder");
        }
        return dir;
    }

    public static Path prometheusDir() {
        return repository().resolve("manifests/prometheus");
    }

    /** The scrape configuration for a whole foundation (service discovery through /v1/sd). */
    public static Path prometheusConfig() {
        return prometheusDir().resolve("prometheus.yml");
    }

    /** One shard of a foundation split over several Prometheus servers (hashmod on each app's path). */
    public static Path shardedPrometheusConfig() {
        return prometheusDir().resolve("prometheus-sharded.yml");
    }

    /** The static example for a single app. */
    public static Path singleAppConfig() {
        return prometheusDir().resolve("single-app.yml");
    }

    /** Jobs with basic auth and bearer tokens; it names secret files the operator provides. */
    public static Path protectedAppsConfig() {
        return prometheusDir().resolve("protected-apps.yml");
    }

    /** The alert rules for the gateway and the apps it scrapes. */
    public static Path alertRules() {
        return prometheusDir().resolve("promfetcher-alerts.yml");
    }

    public static Path workloadDashboard() {
        return repository().resolve("manifests/grafana/thux-workload.json");
    }

    public static Path gatewayDashboard() {
        return repository().resolve("manifests/grafana/promfetcher-gateway.json");
    }

    public static List<Path> dashboards() {
        return List.of(workloadDashboard(), gatewayDashboard());
    }

    public static Path cfManifest() {
        return repository().resolve("manifests/cf/manifest.yml");
    }

    public static Path boshRelease() {
        return repository().resolve("bosh-release");
    }
}
