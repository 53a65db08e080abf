package io.promfetcher.workload.announce;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.routes.AppView;
import io.promfetcher.routes.Instance;
import io.promfetcher.routes.Lookup;
import io.promfetcher.routes.Registration;
import io.promfetcher.routes.RegistrationDecoder;
import io.promfetcher.routes.RouteTable;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the workload announces is exactly what the gateway understands, read by its own decoder. */
class RouteRegistrationDecodedByGatewayTest {

    @Test
    void theGatewayFindsEachAnnouncedResolverByNamesWithItsIndexAndAddress() throws Exception {
        RouteTable table = new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false);
        RegistrationDecoder decoder = new RegistrationDecoder();
        for (int index = 0; index < 3; index++) {
            RouteRegistration announced = RouteRegistration.forInstance("127.0.0.1", 18082 + index, "thux.local",
                    "thux", "local", "resolver", index);
            Registration decoded = decoder.decode(announced.toJson());
            assertThat(decoded.host()).isEqualTo("127.0.0.1");
            assertThat(decoded.port()).isEqualTo(18082 + index);
            assertThat(decoded.uris()).containsExactly("resolver.thux.local");
            table.register(decoded);
        }

        Lookup byNames = table.byNames("thux", "local", "resolver");
        assertThat(byNames).isInstanceOf(Lookup.Found.class);
        AppView app = byNames.apps().get(0);
        assertThat(app.identity().organizationName()).isEqualTo("thux");
        assertThat(app.identity().spaceName()).isEqualTo("local");
        assertThat(app.identity().appName()).isEqualTo("resolver");
        assertThat(app.instances()).extracting(Instance::index).containsExactly("0", "1", "2");
        assertThat(app.instances()).extracting(Instance::address)
                .containsExactly("127.0.0.1:18082", "127.0.0.1:18083", "127.0.0.1:18084");
        assertThat(table.byRoute("resolver.thux.local").apps()).extracting(AppView::identity).containsExactly(app.identity());
        assertThat(table.byAppGuid(app.identity().appId())).isInstanceOf(Lookup.Found.class);
    }

    @Test
    void anUnregistrationRemovesTheInstance() throws Exception {
        RouteTable table = new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false);
        RegistrationDecoder decoder = new RegistrationDecoder();
        RouteRegistration announced = RouteRegistration.forInstance("127.0.0.1", 18086, "thux.local", "thux", "local", "frontend", 0);
        table.register(decoder.decode(announced.toJson()));
        assertThat(table.byNames("thux", "local", "frontend").apps()).hasSize(1);
        table.unregister(decoder.decode(announced.toJson()));
        assertThat(table.byNames("thux", "local", "frontend")).isInstanceOf(Lookup.Unknown.class);
    }
}
