package io.promfetcher.workload.announce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RouteRegistrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void appGuidIsTheSameForEveryInstanceOfAService() {
        RouteRegistration a = RouteRegistration.forInstance("127.0.0.1", 1, "thux.local", "thux", "local", "resolver", 0);
        RouteRegistration b = RouteRegistration.forInstance("127.0.0.1", 2, "thux.local", "thux", "local", "resolver", 1);
        RouteRegistration other = RouteRegistration.forInstance("127.0.0.1", 3, "thux.local", "thux", "local", "tracker", 0);
        assertThat(a.appGuid()).isEqualTo(b.appGuid()).isNotEqualTo(other.appGuid());
        assertThat(a.instanceGuid()).isNotEqualTo(b.instanceGuid());
        assertThat(a.orgGuid()).isEqualTo(other.orgGuid());
    }

    @Test
    void messageCarriesOneUriAndTheIndexAsAString() throws Exception {
        RouteRegistration r = new RouteRegistration("10.0.0.5", 8082, "resolver.thux.local", "thux", "local", "resolver", 3,
                "41653aa4-3a3a-486a-4431-ef258b39f042");
        JsonNode json = JSON.readTree(r.toJson());
        assertThat(json.get("uris")).hasSize(1);
        assertThat(json.get("uris").get(0).asText()).isEqualTo("resolver.thux.local");
        assertThat(json.get("private_instance_index").isTextual()).isTrue();
        assertThat(json.get("private_instance_index").asText()).isEqualTo("3");
        assertThat(json.get("port").asInt()).isEqualTo(8082);
        assertThat(json.get("tags").get("component").asText()).isEqualTo("route-emitter");
        assertThat(json.get("tags").get("instance_id").asText()).isEqualTo("3");
    }
}
