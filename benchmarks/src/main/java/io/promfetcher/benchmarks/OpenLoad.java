package io.promfetcher.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPInputStream;

/**
 * An open-model load generator at a fixed rate, as Prometheus is: request {@code i} is due at
 * {@code start + i / rate} whatever happened to earlier ones, and its latency is counted from
 * that due time, not from when it could be sent (no coordinated omission: a stalled gateway
 * shows as latency, not as a lower rate). Requests go to the targets in turn, with the headers
 * Prometheus 2.42 sends. Every {@link #CHECK_EVERY}th answer is decompressed and checked for
 * the expected number of instances up.
 */
final class OpenLoad {
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private static final int CHECK_EVERY = 50;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** What one run achieved. Latencies in milliseconds. */
    record Result(long due, long ok, Map<String, Long> failures, long checked, long incomplete, double seconds,
                  double p50, double p90, double p99, double max, long responseBytes) {
        double achievedRate() {
            return ok / seconds;
        }

        long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Sends {@code rate} requests per second for {@code duration} to {@code targets} in turn,
     * then waits for the last answers (up to {@code timeout}).
     *
     * @param instancesUp instances each answer must report up ({@code promfetcher_scrape_up 1})
     */
    Result run(List<URI> targets, double rate, Duration duration, Duration timeout, int instancesUp) throws InterruptedException {
        long count = (long) (rate * duration.toNanos() / 1e9);
        long[] latencies = new long[(int) count];
        Arrays.fill(latencies, -1);
        Map<String, Long> failures = new ConcurrentHashMap<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong checked = new AtomicLong();
        AtomicLong incomplete = new AtomicLong();
        CountDownLatch done = new CountDownLatch((int) count);
        double periodNanos = 1e9 / rate;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * periodNanos);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            int n = i;
            HttpRequest request = HttpRequest.newBuilder(targets.get(i % targets.size()))
                    .timeout(timeout)
                    .header("Accept", PROMETHEUS_ACCEPT)
                    .header("Accept-Encoding", "gzip")
                    .header("User-Agent", "Prometheus/2.42.0")
                    .header("X-Prometheus-Scrape-Timeout-Seconds", Long.toString(timeout.toSeconds()))
                    .build();
            client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
                latencies[n] = System.nanoTime() - due;
                if (error != null) {
                    failures.merge(error.getClass().getSimpleName(), 1L, Long::sum);
                } else if (response.statusCode() != 200) {
                    failures.merge("http_" + response.statusCode(), 1L, Long::sum);
                } else {
                    ok.incrementAndGet();
                    bytes.addAndGet(response.body().length);
                    if (n % CHECK_EVERY == 0) {
                        checked.incrementAndGet();
                        if (instancesUp(response) != instancesUp) {
                            incomplete.incrementAndGet();
                        }
                    }
                }
                done.countDown();
            });
        }
        long sent = System.nanoTime();
        if (!done.await(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
            failures.merge("unanswered", done.getCount(), Long::sum);
        }
        // The run lasts until the last request was due plus one period (sending it late counts as latency).
        double seconds = Math.max(count * periodNanos, sent - start) / 1e9;
        long[] answered = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        return new Result(count, ok.get(), new TreeMap<>(failures), checked.get(), incomplete.get(), seconds,
                percentile(answered, 0.50), percentile(answered, 0.90), percentile(answered, 0.99),
                answered.length == 0 ? 0 : answered[answered.length - 1] / 1e6, bytes.get());
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** Instances the merged answer reports as scraped and parsed. */
    static int instancesUp(HttpResponse<byte[]> response) {
        byte[] body = response.body();
        if (response.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                body = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        int up = 0;
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("promfetcher_scrape_up{") && line.endsWith(" 1")) {
                up++;
            }
        }
        return up;
    }
}
