package io.promfetcher.workload.redis;

/**
 * How mentions leave the hotlist. {@link #SLIDING} (default): each mention counts for
 * {@code HOTLIST_TTL}, so a score is the number of mentions in the last window.
 * {@link #LAST_MENTION}: the original example's behaviour, one pending reduction per URL, due one
 * TTL after its last mention, subtracting 1 — a URL mentioned N times stays at N-1 for good.
 */
public enum AgeingMode {
    SLIDING,
    LAST_MENTION
}
