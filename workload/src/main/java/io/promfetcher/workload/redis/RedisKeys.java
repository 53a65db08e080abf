package io.promfetcher.workload.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The key layout of the original Hot URLs example (kept so tools pointed at a real deployment
 * still work), plus the few keys added to make resolution exactly-once.
 */
public final class RedisKeys {
    /** Inbox: LIST of URLs waiting to be resolved (tracker RPUSH, resolver pops from the head). */
    public static final String INBOX = "incoming_urls";
    /** Hotlist: ZSET, member md5hex(final URL), score = live mentions. */
    public static final String HOTLIST = "url_hotlist";
    /** Hotlist: ZSET of pending score reductions, score = when each is due (epoch seconds). */
    public static final String REDUCTIONS = "url_hotlist_reductions";

    private RedisKeys() {}

    /** STRING with the final URL text, looked up by the frontend. */
    public static String urlText(String finalUrlHash) {
        return "url:" + finalUrlHash;
    }

    /** STRING cache of the resolver: original URL hash → final URL, with a TTL. */
    public static String resolverCache(String originalUrl) {
        return "url_handled:" + md5Hex(originalUrl);
    }

    /**
     * Inbox: LIST holding the URL a resolver instance is working on. The hash tag puts it in the
     * same Redis Cluster slot as {@code incoming_urls}, so moving between them stays one command.
     */
    public static String inFlight(int instanceIndex) {
        return "{" + INBOX + "}:in_flight:" + instanceIndex;
    }

    /** Hotlist: STRING, the token of the last mention a resolver instance scored (exactly-once). */
    public static String lastScored(int instanceIndex) {
        return "resolver_last_scored:" + instanceIndex;
    }

    public static String md5Hex(String text) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
