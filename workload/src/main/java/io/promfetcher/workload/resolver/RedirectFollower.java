package io.promfetcher.workload.resolver;

import java.io.IOException;
import java.net.IDN;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Follows a link's redirects by hand, so every rule is ours: at most {@code maxHops} redirects,
 * relative {@code Location} resolved against the current URL, only 301/302/303/307/308 followed,
 * a URL seen twice is a loop, connect and read timeouts on every hop. Hosts are converted to
 * their ASCII (IDN) form first, which is also the form of the final URL scored.
 */
public final class RedirectFollower {
    private final HttpClient client;
    private final Duration readTimeout;
    private final int maxHops;

    public RedirectFollower(HttpClient client, Duration readTimeout, int maxHops) {
        this.client = client;
        this.readTimeout = readTimeout;
        this.maxHops = maxHops;
    }

    /** An HTTP/1.1 client that never follows redirects itself; through a proxy when one is given. */
    public static HttpClient client(Duration connectTimeout, Optional<ProxySelector> proxy) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout);
        proxy.ifPresent(builder::proxy);
        return builder.build();
    }

    public Resolution resolve(String link) throws InterruptedException {
        URI current;
        try {
            current = normalize(link);
        } catch (UnsupportedScheme e) {
            return new Resolution.Dropped("unsupported_scheme");
        } catch (URISyntaxException | IllegalArgumentException e) {
            return new Resolution.Dropped("invalid_url");
        }
        Set<String> seen = new HashSet<>();
        for (int hop = 0; ; hop++) {
            if (!seen.add(current.toString())) {
                return new Resolution.Dropped("redirect_loop");
            }
            HttpResponse<Void> response;
            try {
                HttpRequest request = HttpRequest.newBuilder(current)
                        .timeout(readTimeout)
                        .header("User-Agent", "thux-resolver/1")
                        .GET()
                        .build();
                response = client.send(request, HttpResponse.BodyHandlers.discarding());
            } catch (HttpTimeoutException e) {
                return new Resolution.Fallback(current.toString(), "timeout");
            } catch (IOException e) {
                return new Resolution.Fallback(current.toString(), "unreachable");
            } catch (IllegalArgumentException e) {
                return new Resolution.Dropped("invalid_url");
            }
            int status = response.statusCode();
            if (isRedirect(status)) {
                Optional<String> location = response.headers().firstValue("Location").filter(l -> !l.isBlank());
                if (location.isEmpty()) {
                    return new Resolution.Dropped("missing_location");
                }
                if (hop >= maxHops) {
                    return new Resolution.Dropped("too_many_redirects");
                }
                try {
                    current = normalize(current.resolve(new URI(location.get().trim())).toString());
                } catch (UnsupportedScheme e) {
                    return new Resolution.Dropped("unsupported_scheme");
                } catch (URISyntaxException | IllegalArgumentException e) {
                    return new Resolution.Dropped("invalid_location");
                }
                continue;
            }
            if (status >= 200 && status < 300) {
                return new Resolution.Resolved(current.toString(), hop);
            }
            if (status >= 400 && status < 500) {
                return new Resolution.Dropped("http_4xx");
            }
            if (status >= 500) {
                return new Resolution.Dropped("http_5xx");
            }
            return new Resolution.Dropped("unexpected_status");
        }
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * An absolute http(s) URL with an ASCII host, a path of at least "/" and no fragment: the form
     * requested and scored. Non-ASCII hosts become IDN ("xn--…"), other non-ASCII is %-encoded.
     */
    static URI normalize(String link) throws URISyntaxException {
        URI uri = new URI(link.trim());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UnsupportedScheme();
        }
        if (uri.getRawAuthority() == null) {
            throw new URISyntaxException(link, "no host");
        }
        String host = uri.getHost();
        int port = uri.getPort();
        if (host == null) {
            // java.net.URI only accepts ASCII host names: split the authority ourselves for IDNs.
            String authority = uri.getAuthority();
            if (authority.contains("@")) {
                throw new URISyntaxException(link, "user info in URL");
            }
            int colon = authority.lastIndexOf(':');
            String name = colon > 0 ? authority.substring(0, colon) : authority;
            if (colon > 0) {
                try {
                    port = Integer.parseInt(authority.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new URISyntaxException(link, "bad port");
                }
            }
            host = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED);
            if (host.isEmpty() || host.contains(" ")) {
                throw new URISyntaxException(link, "bad host");
            }
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        String rebuilt = scheme + "://" + host.toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port) + path + query;
        return new URI(new URI(rebuilt).toASCIIString());
    }

    private static final class UnsupportedScheme extends URISyntaxException {
        private static final long serialVersionUID = 1L;

        UnsupportedScheme() {
            super("", "not http or https");
        }
    }
}
