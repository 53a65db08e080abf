package io.promfetcher.workload.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.resps.Tuple;

/**
 * The hotlist Redis: scoring a mention (resolver), ageing scores (cleaner), reading the top
 * (frontend). Each write is one Lua script, so it is atomic: several resolvers and several
 * cleaners can run at once, and a retried call after a lost reply cannot count twice.
 */
public final class Hotlist {
    /**
     * KEYS: hotlist, reductions, url:hash, last-scored marker. ARGV: hash, final URL, due time,
     * reduction member, token. Skips a mention whose token this resolver already scored.
     */
    private static final String SCORE = """
            if redis.call('GET', KEYS[4]) == ARGV[5] then return 0 end
            redis.call('ZINCRBY', KEYS[1], 1, ARGV[1])
            redis.call('SET', KEYS[3], ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
            redis.call('SET', KEYS[4], ARGV[5])
            return 1
            """;

    /**
     * KEYS: hotlist, reductions. ARGV: now, batch size, url key prefix. Applies the due
     * reductions; a member is {@code hash} (original mode) or {@code hash:token} (sliding).
     * Returns {reductions applied, URLs removed}.
     */
    private static final String AGE = """
            local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
            local removed = 0
            for _, member in ipairs(due) do
              redis.call('ZREM', KEYS[2], member)
              local hash = string.match(member, '^[^:]+')
              local score = tonumber(redis.call('ZINCRBY', KEYS[1], -1, hash))
              if score <= 0 then
                redis.call('ZREM', KEYS[1], hash)
                redis.call('DEL', ARGV[3] .. hash)
                removed = removed + 1
              end
            end
            return {#due, removed}
            """;

    private final JedisPooled redis;

    public Hotlist(JedisPooled redis) {
        this.redis = redis;
    }

    /** One hotlist line: the final URL text (absent if its {@code url:*} key is gone) and score. */
    public record Entry(String hash, Optional<String> url, double score) {}

    /** What one ageing pass did. */
    public record Ageing(long reductions, long removedUrls) {}

    /**
     * Counts one mention of a final URL, unless this resolver instance already scored the mention
     * with this token (the reply was lost, or the process died before clearing its in-flight URL).
     *
     * @return true if counted now, false if it had been counted already
     */
    public boolean score(String finalUrl, int resolverIndex, String token, AgeingMode mode, Instant due) {
        String hash = RedisKeys.md5Hex(finalUrl);
        String member = mode == AgeingMode.SLIDING ? hash + ":" + token : hash;
        Object result = redis.eval(SCORE,
                List.of(RedisKeys.HOTLIST, RedisKeys.REDUCTIONS, RedisKeys.urlText(hash),
                        RedisKeys.lastScored(resolverIndex)),
                List.of(hash, finalUrl, Long.toString(due.getEpochSecond()), member, token));
        return Long.valueOf(1).equals(result);
    }

    /** True if this resolver instance's last scored mention carries this token. */
    public boolean alreadyScored(int resolverIndex, String token) {
        return token.equals(redis.get(RedisKeys.lastScored(resolverIndex)));
    }

    /** Applies up to {@code batch} reductions due at {@code now}. */
    public Ageing age(Instant now, int batch) {
        Object result = redis.eval(AGE, List.of(RedisKeys.HOTLIST, RedisKeys.REDUCTIONS),
                List.of(Long.toString(now.getEpochSecond()), Integer.toString(batch), "url:"));
        List<?> counts = (List<?>) result;
        return new Ageing((Long) counts.get(0), (Long) counts.get(1));
    }

    /** The top {@code limit} URLs, highest score first. */
    public List<Entry> top(int limit) {
        List<Tuple> tuples = redis.zrevrangeWithScores(RedisKeys.HOTLIST, 0, limit - 1L);
        List<Response<String>> texts = new ArrayList<>(tuples.size());
        // A pipeline of GETs rather than one MGET: the url:* keys may live in different Cluster slots.
        try (Pipeline pipeline = redis.pipelined()) {
            for (Tuple tuple : tuples) {
                texts.add(pipeline.get(RedisKeys.urlText(tuple.getElement())));
            }
            pipeline.sync();
        }
        List<Entry> entries = new ArrayList<>(tuples.size());
        for (int i = 0; i < tuples.size(); i++) {
            Tuple tuple = tuples.get(i);
            entries.add(new Entry(tuple.getElement(), Optional.ofNullable(texts.get(i).get()), tuple.getScore()));
        }
        return entries;
    }

    public long size() {
        return redis.zcard(RedisKeys.HOTLIST);
    }

    public Optional<String> cachedFinalUrl(String originalUrl) {
        return Optional.ofNullable(redis.get(RedisKeys.resolverCache(originalUrl)));
    }

    public void cacheFinalUrl(String originalUrl, String finalUrl, long ttlSeconds) {
        redis.setex(RedisKeys.resolverCache(originalUrl), ttlSeconds, finalUrl);
    }

    public String ping() {
        return redis.ping();
    }
}
