package io.promfetcher.routes;

import static io.promfetcher.routes.Announcements.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** route-emitter's internal-route announcements, as the gateway remembers them. */
class InternalRoutesTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final InternalRoutes internal = new InternalRoutes(nanos::get, Duration.ofSeconds(120));
    private final RegistrationDecoder decoder = new RegistrationDecoder();

    /** The shape route-emitter publishes on service-discovery.register: container address, no port, no names. */
    static String internalRoute(String appGuid, String containerIp, int index, String hostname) {
        return "{\"host\":\"" + containerIp + "\",\"uris\":[\"" + hostname + "\",\"" + index + "." + hostname + "\"],"
                + "\"app\":\"" + appGuid + "\",\"private_instance_index\":\"" + index + "\","
                + "\"tags\":{\"component\":\"route-emitter\"}}";
    }

    @Test
    void anAppOnInternalRoutesIsKnownByGuidWithItsHostnamesAndInstances() throws Exception {
        internal.register(decoder.decodeInternal(bytes(internalRoute("g-1", "10.255.0.5", 0, "backend.apps.internal"))));
        internal.register(decoder.decodeInternal(bytes(internalRoute("g-1", "10.255.0.6", 1, "backend.apps.internal"))));
        InternalRoutes.InternalApp app = internal.byAppGuid("g-1").orElseThrow();
        assertThat(app.hostnames()).containsExactly("backend.apps.internal");
        assertThat(app.instances()).isEqualTo(2);
    }

    @Test
    void anUnregisteredOrSilentAppIsForgotten() throws Exception {
        internal.register(decoder.decodeInternal(bytes(internalRoute("g-1", "10.255.0.5", 0, "a.apps.internal"))));
        internal.register(decoder.decodeInternal(bytes(internalRoute("g-2", "10.255.0.7", 0, "b.apps.internal"))));
        internal.unregister(decoder.decodeInternal(bytes(internalRoute("g-1", "10.255.0.5", 0, "a.apps.internal"))));
        assertThat(internal.byAppGuid("g-1")).isEmpty();
        nanos.addAndGet(Duration.ofSeconds(121).toNanos());
        assertThat(internal.byAppGuid("g-2")).as("not re-announced within the stale threshold").isEmpty();
        assertThat(internal.all()).isEmpty();
    }

    @Test
    void theInternalSchemaNeedsNoPortButAHost() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decodeInternal(bytes("{\"uris\":[\"a.apps.internal\"]}")))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedReason.MISSING_HOST));
    }
}
