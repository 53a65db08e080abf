package io.promfetcher.workload.redis;

import java.util.List;
import java.util.Optional;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.args.ListDirection;

/**
 * The inbox Redis: the FIFO of URLs to resolve. A resolver moves the URL it takes into its own
 * in-flight list (one command, so a crash cannot lose it) and clears it when done; a restarted
 * resolver with the same instance index finds it there.
 */
public final class Inbox {
    /** KEYS: in-flight list, inbox. ARGV: in-flight entry, URL. Puts a URL back at the head. */
    private static final String PUT_BACK = """
            if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
              redis.call('LPUSH', KEYS[2], ARGV[2])
              return 1
            end
            return 0
            """;

    private final JedisPooled redis;

    public Inbox(JedisPooled redis) {
        this.redis = redis;
    }

    /** Appends the links of one post, in order, in one command. */
    public void push(List<String> urls) {
        if (!urls.isEmpty()) {
            redis.rpush(RedisKeys.INBOX, urls.toArray(String[]::new));
        }
    }

    /** Takes the oldest URL into the instance's in-flight list, waiting up to {@code timeoutSeconds}. */
    public Optional<String> take(int instanceIndex, double timeoutSeconds) {
        return Optional.ofNullable(redis.blmove(RedisKeys.INBOX, RedisKeys.inFlight(instanceIndex),
                ListDirection.LEFT, ListDirection.RIGHT, timeoutSeconds));
    }

    /** Replaces the newest in-flight entry (the one just taken) with its tagged form. */
    public void tag(int instanceIndex, String entry) {
        redis.lset(RedisKeys.inFlight(instanceIndex), -1, entry);
    }

    /** Forgets a finished in-flight entry. */
    public void done(int instanceIndex, String entry) {
        redis.lrem(RedisKeys.inFlight(instanceIndex), 1, entry);
    }

    /** Moves an in-flight entry back to the head of the inbox, so it is the next URL taken. */
    public void putBack(int instanceIndex, String entry, String url) {
        redis.eval(PUT_BACK, List.of(RedisKeys.inFlight(instanceIndex), RedisKeys.INBOX), List.of(entry, url));
    }

    public List<String> inFlight(int instanceIndex) {
        return redis.lrange(RedisKeys.inFlight(instanceIndex), 0, -1);
    }

    public long length() {
        return redis.llen(RedisKeys.INBOX);
    }

    public String ping() {
        return redis.ping();
    }
}
