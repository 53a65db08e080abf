package io.promfetcher.scrape;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which of a caller's headers reach the instances of the app it asked for, and every header the
 * gateway sets on an instance request. The rules (gateway design §6):
 * <ul>
 *   <li>{@code Authorization} is always forwarded, plus the configured allow-list
 *       ({@code scrape.forwarded_headers}); nothing else from the caller;</li>
 *   <li>hop-by-hop headers ({@code Connection}, {@code Keep-Alive}, {@code TE}, {@code Trailer},
 *       {@code Transfer-Encoding}, {@code Upgrade}), every {@code Proxy-*} header, any header the
 *       caller's {@code Connection} names, and {@code Host}/{@code Content-Length} are never
 *       forwarded, whatever the allow-list says;</li>
 *   <li>the gateway sets {@code Host} (the route host), {@code Accept} ({@link ScrapeRequest#accept}:
 *       OpenMetrics preferred, protobuf first for a protobuf caller),
 *       {@code Accept-Encoding: gzip}, {@code X-Forwarded-For} (the caller's chain plus the
 *       caller's address), {@code X-Forwarded-Proto} and {@code X-Prometheus-Scrape-Timeout-Seconds}
 *       (the instance's timeout minus the margin), so the caller cannot set those;</li>
 *   <li>a value containing CR, LF or NUL is dropped rather than forwarded.</li>
 * </ul>
 * Headers are forwarded only to the app the caller asked for because the api builds one
 * {@link ForwardedHeaders} per request and passes it only with that app's targets.
 */
public final class HeaderPolicy {
    /** Asks for OpenMetrics first: it carries more (units, _created, exemplars) than text 0.0.4. */
    public static final String ACCEPT =
            "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    static final String SCRAPE_TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds";
    static final String USER_AGENT = "promfetcher";

    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");
    /** Set by the gateway itself (or meaningless on a GET): a caller never chooses them. */
    private static final Set<String> GATEWAY_OWNED = Set.of(
            "host", "content-length", "accept", "accept-encoding", "x-forwarded-for", "x-forwarded-proto",
            SCRAPE_TIMEOUT_HEADER.toLowerCase(Locale.ROOT));

    private final Set<String> forwarded;

    /**
     * @param allowList caller headers forwarded besides {@code Authorization} (case-insensitive);
     *                  a hop-by-hop, {@code Proxy-*} or gateway-owned name, or a name that is not
     *                  an HTTP token, is refused with {@link IllegalArgumentException}
     */
    public HeaderPolicy(Collection<String> allowList) {
        Set<String> names = new HashSet<>();
        names.add("authorization");
        for (String name : allowList) {
            String lower = name.trim().toLowerCase(Locale.ROOT);
            if (lower.isEmpty() || !isToken(lower)) {
                throw new IllegalArgumentException("'" + name + "' is not a valid HTTP header name");
            }
            if (neverForwarded(lower)) {
                throw new IllegalArgumentException("header '" + name + "' can never be forwarded to instances"
                        + " (hop-by-hop, Proxy-* or set by the gateway itself)");
            }
            names.add(lower);
        }
        this.forwarded = Set.copyOf(names);
    }

    /** Forwards {@code Authorization} only. */
    public static HeaderPolicy authorizationOnly() {
        return new HeaderPolicy(List.of());
    }

    /**
     * What a caller's request contributes to its instance requests.
     *
     * @param callerHeaders the caller's request headers (a Netty {@code HttpHeaders} will do)
     * @param callerAddress the caller's IP address, appended to its {@code X-Forwarded-For} chain
     * @param callerProto   the scheme the caller used ({@code http} or {@code https})
     */
    public ForwardedHeaders forCaller(Iterable<Map.Entry<String, String>> callerHeaders, String callerAddress,
                                      String callerProto) {
        Set<String> namedByConnection = new HashSet<>();
        List<String> forwardedFor = new ArrayList<>();
        for (Map.Entry<String, String> header : callerHeaders) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("connection")) {
                for (String token : header.getValue().split(",")) {
                    namedByConnection.add(token.trim().toLowerCase(Locale.ROOT));
                }
            } else if (name.equals("x-forwarded-for") && isSafeValue(header.getValue())) {
                forwardedFor.add(header.getValue().trim());
            }
        }
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> header : callerHeaders) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (forwarded.contains(name) && !namedByConnection.contains(name) && isSafeValue(header.getValue())) {
                kept.add(Map.entry(header.getKey(), header.getValue()));
            }
        }
        if (!callerAddress.isEmpty()) {
            forwardedFor.add(callerAddress);
        }
        return new ForwardedHeaders(kept, String.join(", ", forwardedFor), callerProto);
    }

    /** The complete header set of one instance request, asking with {@link #ACCEPT}. */
    static HttpHeaders instanceRequestHeaders(ForwardedHeaders caller, String hostHeader, Duration timeoutDown) {
        return instanceRequestHeaders(caller, hostHeader, timeoutDown, ACCEPT);
    }

    /** The complete header set of one instance request, asking with {@code accept} (see {@link ScrapeRequest#accept}). */
    static HttpHeaders instanceRequestHeaders(ForwardedHeaders caller, String hostHeader, Duration timeoutDown,
                                              String accept) {
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.HOST, hostHeader);
        headers.set(HttpHeaderNames.ACCEPT, accept);
        headers.set(HttpHeaderNames.ACCEPT_ENCODING, "gzip");
        headers.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        if (!caller.forwardedFor().isEmpty()) {
            headers.set("X-Forwarded-For", caller.forwardedFor());
        }
        headers.set("X-Forwarded-Proto", caller.forwardedProto());
        headers.set(SCRAPE_TIMEOUT_HEADER, seconds(timeoutDown));
        boolean userAgentForwarded = false;
        for (Map.Entry<String, String> header : caller.headers()) {
            if (neverForwarded(header.getKey().toLowerCase(Locale.ROOT))) {
                continue; // ForwardedHeaders made by hand rather than by forCaller: the rules still hold
            }
            if (header.getKey().equalsIgnoreCase("user-agent") && !userAgentForwarded) {
                headers.remove(HttpHeaderNames.USER_AGENT);
                userAgentForwarded = true;
            }
            headers.add(header.getKey(), header.getValue());
        }
        return headers;
    }

    /** Seconds with millisecond precision and no trailing zeros, as Prometheus writes them ("9.5"). */
    static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    private static boolean neverForwarded(String lowerName) {
        return HOP_BY_HOP.contains(lowerName) || lowerName.startsWith("proxy-") || GATEWAY_OWNED.contains(lowerName);
    }

    private static boolean isSafeValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isToken(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
