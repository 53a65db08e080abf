package io.promfetcher.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderPolicyTest {

    private static HttpHeaders callerHeaders() {
        HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        h.add("Authorization", "Bearer caller-token");
        h.add("X-Tenant", "blue");
        h.add("Cookie", "session=1");
        h.add("Connection", "keep-alive, X-Tenant");
        h.add("Keep-Alive", "timeout=5");
        h.add("TE", "trailers");
        h.add("Trailer", "X-Sum");
        h.add("Transfer-Encoding", "chunked");
        h.add("Upgrade", "h2c");
        h.add("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0");
        h.add("Proxy-Connection", "keep-alive");
        h.add("Host", "gateway.example.com");
        h.add("Content-Length", "0");
        h.add("Accept", "text/plain");
        h.add("Accept-Encoding", "br");
        h.add("X-Forwarded-For", "203.0.113.7");
        h.add("X-Forwarded-Proto", "gopher");
        h.add("X-Prometheus-Scrape-Timeout-Seconds", "10");
        h.add("User-Agent", "Prometheus/2.42.0");
        return h;
    }

    @Test
    void forwardsOnlyAuthorizationByDefault() {
        ForwardedHeaders f = HeaderPolicy.authorizationOnly().forCaller(callerHeaders(), "10.0.0.5", "http");
        assertThat(f.headers()).containsExactly(Map.entry("Authorization", "Bearer caller-token"));
        assertThat(f.forwardedFor()).isEqualTo("203.0.113.7, 10.0.0.5");
        assertThat(f.forwardedProto()).isEqualTo("http");
    }

    @Test
    void forwardsTheAllowListButNotHeadersTheCallersConnectionNames() {
        ForwardedHeaders f = new HeaderPolicy(List.of("X-Tenant", "cookie", "User-Agent"))
                .forCaller(callerHeaders(), "10.0.0.5", "https");
        assertThat(f.headers()).containsExactly(
                Map.entry("Authorization", "Bearer caller-token"),
                Map.entry("Cookie", "session=1"),
                Map.entry("User-Agent", "Prometheus/2.42.0"));
    }

    @Test
    void instanceRequestHeadersAreExactlyTheGatewaysPlusTheForwardedOnes() {
        ForwardedHeaders f = new HeaderPolicy(List.of("X-Tenant")).forCaller(callerHeaders(), "10.0.0.5", "https");
        HttpHeaders h = HeaderPolicy.instanceRequestHeaders(f, "my-app.apps.example.com", Duration.ofMillis(9500));
        assertThat(h.names()).map(n -> n.toLowerCase(java.util.Locale.ROOT)).containsExactlyInAnyOrder(
                "host", "accept", "accept-encoding", "user-agent", "x-forwarded-for", "x-forwarded-proto",
                "x-prometheus-scrape-timeout-seconds", "authorization");
        assertThat(h.get("Host")).isEqualTo("my-app.apps.example.com");
        assertThat(h.get("Accept")).isEqualTo(
                "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertThat(h.get("Accept-Encoding")).isEqualTo("gzip");
        assertThat(h.get("User-Agent")).isEqualTo("promfetcher");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("203.0.113.7, 10.0.0.5");
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(h.get("X-Prometheus-Scrape-Timeout-Seconds")).isEqualTo("9.5");
        assertThat(h.getAll("Authorization")).containsExactly("Bearer caller-token");
    }

    @Test
    void aForwardedUserAgentReplacesTheGatewaysOwn() {
        ForwardedHeaders f = new HeaderPolicy(List.of("user-agent")).forCaller(callerHeaders(), "10.0.0.5", "http");
        HttpHeaders h = HeaderPolicy.instanceRequestHeaders(f, "app", Duration.ofSeconds(1));
        assertThat(h.getAll("User-Agent")).containsExactly("Prometheus/2.42.0");
    }

    @Test
    void handMadeForwardedHeadersStillCannotSetHopByHopOrGatewayHeaders() {
        ForwardedHeaders handMade = new ForwardedHeaders(List.of(Map.entry("Host", "evil.example.com"),
                Map.entry("Connection", "close"), Map.entry("Proxy-Authorization", "x"), Map.entry("X-Ok", "1")),
                "", "http");
        HttpHeaders h = HeaderPolicy.instanceRequestHeaders(handMade, "app.example.com", Duration.ofSeconds(1));
        assertThat(h.getAll("Host")).containsExactly("app.example.com");
        assertThat(h.contains("Connection")).isFalse();
        assertThat(h.contains("Proxy-Authorization")).isFalse();
        assertThat(h.get("X-Ok")).isEqualTo("1");
    }

    @Test
    void repeatedAllowedHeadersAreAllForwarded() {
        HttpHeaders caller = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        caller.add("X-Tenant", "a");
        caller.add("x-tenant", "b");
        ForwardedHeaders f = new HeaderPolicy(List.of("x-tenant")).forCaller(caller, "", "http");
        assertThat(f.headers()).containsExactly(Map.entry("X-Tenant", "a"), Map.entry("x-tenant", "b"));
        assertThat(f.forwardedFor()).isEmpty();
        assertThat(HeaderPolicy.instanceRequestHeaders(f, "app", Duration.ofSeconds(1)).names())
                .doesNotContain("X-Forwarded-For");
    }

    @Test
    void valuesWithLineBreaksAreDropped() {
        HttpHeaders caller = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        caller.add("Authorization", "Bearer x\r\nHost: evil");
        caller.add("X-Forwarded-For", "1.2.3.4\nX: y");
        ForwardedHeaders f = HeaderPolicy.authorizationOnly().forCaller(caller, "10.0.0.5", "http");
        assertThat(f.headers()).isEmpty();
        assertThat(f.forwardedFor()).isEqualTo("10.0.0.5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Connection", "keep-alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
            "Proxy-Authorization", "proxy-anything", "Host", "Content-Length", "Accept", "Accept-Encoding",
            "X-Forwarded-For", "X-Forwarded-Proto", "X-Prometheus-Scrape-Timeout-Seconds"})
    void refusesAnAllowListNamingAHeaderThatIsNeverForwarded(String name) {
        assertThatThrownBy(() -> new HeaderPolicy(List.of(name)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("never be forwarded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "X Tenant", "X-Tenant:", "Bad\nName", "Ünicode"})
    void refusesAnAllowListEntryThatIsNotAHeaderName(String name) {
        assertThatThrownBy(() -> new HeaderPolicy(List.of(name)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid HTTP header name");
    }

    @Test
    void secondsAreWrittenAsPrometheusWritesThem() {
        assertThat(HeaderPolicy.seconds(Duration.ofSeconds(10))).isEqualTo("10");
        assertThat(HeaderPolicy.seconds(Duration.ofMillis(9500))).isEqualTo("9.5");
        assertThat(HeaderPolicy.seconds(Duration.ofMillis(1))).isEqualTo("0.001");
        assertThat(HeaderPolicy.seconds(Duration.ZERO)).isEqualTo("0");
    }

    @Test
    void withAnAppAuthorizationHeaderTheCallersAuthorizationIsNeverForwarded() {
        HttpHeaders caller = callerHeaders();
        caller.add("X-App-Authorization", "Basic YXBwOnNlY3JldA==");
        ForwardedHeaders f = HeaderPolicy.withAppAuthorization(List.of("X-Tenant"), "X-App-Authorization")
                .forCaller(caller, "10.0.0.5", "http");
        assertThat(f.headers()).contains(Map.entry("Authorization", "Basic YXBwOnNlY3JldA=="));
        assertThat(f.headers()).noneMatch(h -> h.getValue().contains("caller-token"));
        assertThat(f.headers()).noneMatch(h -> h.getKey().equalsIgnoreCase("X-App-Authorization"));
        ForwardedHeaders without = HeaderPolicy.withAppAuthorization(List.of(), "X-App-Authorization")
                .forCaller(callerHeaders(), "10.0.0.5", "http");
        assertThat(without.headers()).noneMatch(h -> h.getKey().equalsIgnoreCase("Authorization"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Authorization", "Proxy-Authorization", "Connection", "Host", "bad header"})
    void theAppAuthorizationHeaderCannotBeAHeaderWithAnotherRole(String name) {
        assertThatThrownBy(() -> HeaderPolicy.withAppAuthorization(List.of(), name))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
