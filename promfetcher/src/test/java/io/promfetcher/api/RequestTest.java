package io.promfetcher.api;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestTest {
    private static final InetSocketAddress CALLER = new InetSocketAddress("127.0.0.1", 1);

    /** What Netty hands over: the request line's bytes as ISO-8859-1 characters. */
    private static String asNettyReadsIt(String utf8) {
        return new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x%zz", "/v1/apps/metrics?app=a%", "/v1/apps/a%2/metrics", "/metrics?x=%g1"})
    void aBrokenPercentEscapeIsAMalformedTargetSayingSo(String uri) {
        assertThatThrownBy(() -> Request.of("GET", uri, EmptyHttpHeaders.INSTANCE, CALLER))
                .isInstanceOf(Request.MalformedTarget.class)
                .hasMessageStartingWith("bad request target");
    }

    @Test
    void rawUtf8InThePathIsReadAsUtf8() throws Exception {
        Request request = Request.of("GET", asNettyReadsIt("/v1/apps/örg/späce/äpp/metrics?x=é"), EmptyHttpHeaders.INSTANCE, CALLER);
        assertThat(request.path()).isEqualTo("/v1/apps/örg/späce/äpp/metrics");
        assertThat(request.queryParameter("x")).hasValue("é");
    }

    @Test
    void bytesThatAreNotUtf8AreAMalformedTarget() {
        String latin1 = "/v1/apps/\u00e9/metrics"; // a lone 0xE9 byte on the wire
        assertThatThrownBy(() -> Request.of("GET", latin1, EmptyHttpHeaders.INSTANCE, CALLER))
                .isInstanceOf(Request.MalformedTarget.class).hasMessageContaining("UTF-8");
    }

    @Test
    void percentEscapesDecodeAsUtf8() throws Exception {
        Request request = Request.of("GET", "/v1/apps/metrics?app=%C3%B6rg/s/a", EmptyHttpHeaders.INSTANCE, CALLER);
        assertThat(request.queryParameter("app")).hasValue("örg/s/a");
    }
}
