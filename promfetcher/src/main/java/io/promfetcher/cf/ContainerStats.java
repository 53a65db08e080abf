package io.promfetcher.cf;

import io.promfetcher.api.ContainerMetrics;
import io.promfetcher.exposition.InstanceScrape;
import io.promfetcher.exposition.TargetLabels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.cloudfoundry.client.v3.processes.PortMapping;
import org.cloudfoundry.client.v3.processes.ProcessState;
import org.cloudfoundry.client.v3.processes.ProcessStatisticsResource;
import org.cloudfoundry.client.v3.processes.ProcessUsage;

/**
 * Container metrics from the Cloud Controller's process stats ({@code GET
 * /v3/processes/{guid}/stats}, the gateway's own token), per instance:
 * {@code cf_container_cpu_ratio}, {@code cf_container_memory_bytes},
 * {@code cf_container_memory_quota_bytes}, {@code cf_container_disk_bytes},
 * {@code cf_container_disk_quota_bytes}, {@code cf_container_uptime_seconds} and
 * {@code cf_container_state{state}} (1 for the current one of RUNNING, STARTING, CRASHED, DOWN),
 * plus {@code promfetcher_container_stats_up} and, when they could not be had,
 * {@code promfetcher_container_stats_error{reason}}.
 *
 * <p>Which process: the route table does not keep the announcements' {@code process_id} tag, so
 * the app's web processes come from the Cloud Controller ({@link AppMetadata}, refreshed with the
 * annotations); a stats entry belongs to a routed instance when its host and one of its
 * external ports (plain or TLS proxy) are the instance's address, which also holds while a
 * rolling deployment runs two web processes whose indexes overlap.
 *
 * <p>At most one stats request per process per {@code cf.stats_ttl}, whatever the number of
 * callers (concurrent callers share the request in flight); a failure is kept as long as an
 * answer would be, so a failing Cloud Controller is not asked more often either.
 */
public final class ContainerStats implements ContainerMetrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4";
    private static final List<String> STATES = List.of("RUNNING", "STARTING", "CRASHED", "DOWN");

    /** One process's stats, or why there are none, and when that was learnt. */
    private record Known(List<ProcessStatisticsResource> stats, String failure, long atNanos) {}

    private final CloudController cc;
    private final AppMetadata metadata;
    private final Duration ttl;
    private final ConcurrentHashMap<String, CompletableFuture<Known>> byProcess = new ConcurrentHashMap<>();

    public ContainerStats(CloudController cc, AppMetadata metadata, Duration ttl) {
        this.cc = cc;
        this.metadata = metadata;
        this.ttl = ttl;
    }

    @Override
    public CompletionStage<Samples> of(List<TargetLabels> targets, Duration deadline) {
        Map<String, List<CompletableFuture<Known>>> byApp = new LinkedHashMap<>();
        for (TargetLabels target : targets) {
            byApp.computeIfAbsent(target.appId(), app -> {
                List<CompletableFuture<Known>> processes = new ArrayList<>();
                for (String process : metadata.webProcesses(app)) {
                    // a copy: the deadline is this caller's, the cached fetch carries on for the next
                    processes.add(stats(process).copy().completeOnTimeout(new Known(List.of(), "timeout", 0),
                            deadline.toNanos(), TimeUnit.NANOSECONDS));
                }
                return processes;
            });
        }
        List<CompletableFuture<Known>> all = byApp.values().stream().flatMap(List::stream).toList();
        Known late = new Known(List.of(), "timeout", 0);
        CompletableFuture<?> within = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        return within.handle((done, e) -> {
            List<InstanceScrape.Supplement> supplements = new ArrayList<>();
            boolean known = false;
            for (TargetLabels target : targets) {
                List<CompletableFuture<Known>> processes = byApp.get(target.appId());
                String failure = processes.isEmpty() ? "unknown_process" : "";
                ProcessStatisticsResource match = null;
                for (CompletableFuture<Known> p : processes) {
                    Known k = p.getNow(late);
                    if (!k.failure().isEmpty()) {
                        failure = k.failure();
                        continue;
                    }
                    for (ProcessStatisticsResource s : k.stats()) {
                        if (isInstance(s, target)) {
                            match = s;
                        }
                    }
                }
                if (match == null && failure.isEmpty()) {
                    failure = "not_in_stats";
                }
                known |= match != null;
                supplements.add(new InstanceScrape.Supplement(target, exposition(match, failure), CONTENT_TYPE));
            }
            return new Samples(supplements, known);
        });
    }

    /** The cached stats of one process, fetched when older than the TTL (one fetch at a time). */
    private CompletableFuture<Known> stats(String process) {
        long now = System.nanoTime();
        CompletableFuture<Known> current = byProcess.get(process);
        if (current != null && (!current.isDone() || now - current.join().atNanos() < ttl.toNanos())) {
            return current;
        }
        CompletableFuture<Known> next = new CompletableFuture<>();
        boolean mine = current == null ? byProcess.putIfAbsent(process, next) == null : byProcess.replace(process, current, next);
        if (!mine) {
            return byProcess.get(process);
        }
        cc.stats(process).whenComplete((stats, failure) -> next.complete(failure == null
                ? new Known(List.copyOf(stats), "", System.nanoTime())
                : new Known(List.of(), CapiException.of(failure).reason(), System.nanoTime())));
        return next;
    }

    /** The stats entry of this instance: same host, and its address's port is one of the entry's external ports. */
    private static boolean isInstance(ProcessStatisticsResource s, TargetLabels target) {
        if (s.getHost() == null || s.getInstancePorts() == null) {
            return false;
        }
        for (PortMapping ports : s.getInstancePorts()) {
            if (target.instance().equals(s.getHost() + ":" + ports.getExternal())
                    || (ports.getExternalTlsProxyPort() != null && target.instance().equals(s.getHost() + ":" + ports.getExternalTlsProxyPort()))) {
                return true;
            }
        }
        return false;
    }

    /** Text 0.0.4, one sample per family, without labels: the merge adds the instance's. */
    static byte[] exposition(ProcessStatisticsResource s, String failure) {
        StringBuilder b = new StringBuilder(1024);
        if (s != null) {
            ProcessUsage usage = s.getUsage();
            if (usage != null) {
                gauge(b, "cf_container_cpu_ratio", "CPU the instance's container used, in cores (1 = one core fully), as the Cloud Controller's process stats say.", usage.getCpu());
                gauge(b, "cf_container_memory_bytes", "Memory the instance's container uses.", usage.getMemory());
            }
            gauge(b, "cf_container_memory_quota_bytes", "Memory the instance's container may use.", s.getMemoryQuota());
            if (usage != null) {
                gauge(b, "cf_container_disk_bytes", "Disk the instance's container uses.", usage.getDisk());
            }
            gauge(b, "cf_container_disk_quota_bytes", "Disk the instance's container may use.", s.getDiskQuota());
            gauge(b, "cf_container_uptime_seconds", "Seconds since the instance's container started.", s.getUptime());
            ProcessState state = s.getState();
            if (state != null) {
                b.append("# HELP cf_container_state The instance's state in the Cloud Controller: 1 for the current one.\n")
                        .append("# TYPE cf_container_state gauge\n");
                for (String name : STATES) {
                    b.append("cf_container_state{state=\"").append(name).append("\"} ")
                            .append(name.equals(state.getValue().toUpperCase(Locale.ROOT)) ? 1 : 0).append('\n');
                }
            }
        }
        gauge(b, "promfetcher_container_stats_up", "1 if the Cloud Controller's stats of the instance's container are known, else 0.",
                s == null ? 0 : 1);
        if (s == null) {
            b.append("# HELP promfetcher_container_stats_error Why the instance's container stats are not known (value 1).\n")
                    .append("# TYPE promfetcher_container_stats_error gauge\n")
                    .append("promfetcher_container_stats_error{reason=\"").append(failure).append("\"} 1\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void gauge(StringBuilder b, String name, String help, Number value) {
        if (value == null) {
            return;
        }
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value instanceof Double d ? Double.toString(d) : value.toString()).append('\n');
    }
}
