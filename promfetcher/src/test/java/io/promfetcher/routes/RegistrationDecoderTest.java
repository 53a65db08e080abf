package io.promfetcher.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RegistrationDecoderTest {
    private final RegistrationDecoder decoder = new RegistrationDecoder();

    private Registration decode(String json) throws MalformedMessageException {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesEveryFieldOfTheRouteEmitterSchema() throws Exception {
        Registration r = decode("""
                {"host":"10.0.1.12","port":61012,"tls_port":61014,"protocol":"http2",
                 "uris":["my-app.apps.example.com"],"app":"app-guid",
                 "private_instance_id":"inst-guid","private_instance_index":"1",
                 "server_cert_domain_san":"inst-guid","route_service_url":"https://rs.example.com",
                 "isolation_segment":"iso","availability_zone":"z1","stale_threshold_in_seconds":60,
                 "endpoint_updated_at_ns":1700000000123456789,
                 "tags":{"component":"route-emitter","app_name":"my-app","instance_id":"1"}}
                """);
        assertThat(r).isEqualTo(new Registration("10.0.1.12", 61012, 61014, List.of("my-app.apps.example.com"),
                "app-guid", "inst-guid", "1", "inst-guid", "http2", "https://rs.example.com", "iso", "z1", 60,
                1700000000123456789L, Map.of("component", "route-emitter", "app_name", "my-app", "instance_id", "1")));
        assertThat(r.scrapePort()).isEqualTo(61014);
    }

    @Test
    void everyFieldButHostAndPortMayBeAbsent() throws Exception {
        Registration r = decode("{\"host\":\"10.0.0.1\",\"port\":8080}");
        assertThat(r.uris()).isEmpty();
        assertThat(r.tags()).isEmpty();
        assertThat(r.appGuid()).isEmpty();
        assertThat(r.instanceIndex()).isEmpty();
        assertThat(r.tlsPort()).isZero();
    }

    @Test
    void unknownFieldsOfAnyShapeAreIgnored() throws Exception {
        Registration r = decode("{\"future\":{\"a\":[1,{\"b\":null}]},\"host\":\"h\",\"x\":[[]],\"port\":1,\"y\":true,\"z\":1.5}");
        assertThat(r.host()).isEqualTo("h");
        assertThat(r.port()).isEqualTo(1);
    }

    @Test
    void nullValuesCountAsAbsent() throws Exception {
        Registration r = decode("{\"host\":\"h\",\"port\":1,\"tls_port\":null,\"uris\":null,\"tags\":{\"a\":null,\"b\":\"c\"},\"app\":null}");
        assertThat(r.tlsPort()).isZero();
        assertThat(r.uris()).isEmpty();
        assertThat(r.tags()).isEqualTo(Map.of("b", "c"));
    }

    @Test
    void aTlsOnlyEndpointIsValid() throws Exception {
        assertThat(decode("{\"host\":\"h\",\"tls_port\":443}").scrapePort()).isEqualTo(443);
    }

    @Test
    void tagsStandInForMissingTopLevelIdentityFields() throws Exception {
        Registration r = decode("{\"host\":\"h\",\"port\":1,\"tags\":{\"app_id\":\"a\",\"process_instance_id\":\"i\",\"instance_id\":\"3\"}}");
        assertThat(r.appGuid()).isEqualTo("a");
        assertThat(r.instanceGuid()).isEqualTo("i");
        assertThat(r.instanceIndex()).isEqualTo("3");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "not json at all                                      | NOT_JSON",
            "''                                                   | NOT_JSON",
            "{\"host\":\"h\",\"port\":1                           | NOT_JSON",
            "{\"host\":\"h\",\"port\":1} trailing                 | NOT_JSON",
            "{\"host\":\"h\",\"port\":1}{}                        | NOT_JSON",
            "[1,2]                                                | WRONG_TYPE",
            "\"a string\"                                         | WRONG_TYPE",
            "{\"host\":\"h\",\"port\":\"8080\"}                   | WRONG_TYPE",
            "{\"host\":\"h\",\"port\":80.5}                       | WRONG_TYPE",
            "{\"host\":7,\"port\":1}                              | WRONG_TYPE",
            "{\"host\":\"h\",\"port\":1,\"uris\":\"a.example\"}   | WRONG_TYPE",
            "{\"host\":\"h\",\"port\":1,\"uris\":[1]}             | WRONG_TYPE",
            "{\"host\":\"h\",\"port\":1,\"tags\":{\"a\":1}}       | WRONG_TYPE",
            "{\"host\":\"h\",\"port\":1,\"tags\":[]}              | WRONG_TYPE",
            "{\"host\":\"h\",\"port\":1,\"private_instance_index\":1} | WRONG_TYPE",
            "{\"host\":\"h\",\"port\":1,\"stale_threshold_in_seconds\":\"60\"} | WRONG_TYPE",
            "{\"port\":1}                                         | MISSING_HOST",
            "{\"host\":\"\",\"port\":1}                           | MISSING_HOST",
            "{\"host\":\"h\"}                                     | MISSING_PORT",
            "{\"host\":\"h\",\"port\":0,\"tls_port\":0}           | MISSING_PORT",
            "{\"host\":\"h\",\"port\":65536}                      | PORT_OUT_OF_RANGE",
            "{\"host\":\"h\",\"port\":-1}                         | PORT_OUT_OF_RANGE",
            "{\"host\":\"h\",\"port\":1,\"tls_port\":99999999999} | PORT_OUT_OF_RANGE",
    })
    void badInputIsRejectedWithItsReason(String json, MalformedReason reason) {
        assertThatThrownBy(() -> decode(json))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    @Test
    void invalidUtf8IsNotJson() {
        byte[] bad = {'{', '"', 'h', 'o', 's', 't', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        assertThatThrownBy(() -> decoder.decode(bad))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedReason.NOT_JSON));
    }

    @Test
    void deeplyNestedUnknownFieldsAreRejectedNotOverflowed() {
        String deep = "{\"host\":\"h\",\"port\":1,\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        assertThatThrownBy(() -> decode(deep))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedReason.NOT_JSON));
    }

    @Test
    void aMessageOverOneMebibyteIsTooLarge() {
        byte[] huge = new byte[RegistrationDecoder.MAX_MESSAGE_BYTES + 1];
        assertThatThrownBy(() -> decoder.decode(huge))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedReason.TOO_LARGE));
    }

    @Test
    void decodesAPartOfABuffer() throws Exception {
        byte[] buffer = "xx{\"host\":\"h\",\"port\":2}yy".getBytes(StandardCharsets.UTF_8);
        assertThat(decoder.decode(buffer, 2, buffer.length - 4).port()).isEqualTo(2);
    }

    @Test
    void decodesRouterStart() throws Exception {
        RegistrationDecoder.RouterStart start = decoder.decodeRouterStart(
                "{\"id\":\"r1\",\"hosts\":[\"10.0.0.5\"],\"minimumRegisterIntervalInSeconds\":20,\"pruneThresholdInSeconds\":120}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(start).isEqualTo(new RegistrationDecoder.RouterStart("r1", 20, 120));
    }
}
