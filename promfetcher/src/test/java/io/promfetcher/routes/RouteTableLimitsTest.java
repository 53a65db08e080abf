package io.promfetcher.routes;

import static io.promfetcher.routes.Announcements.bytes;
import static io.promfetcher.routes.Announcements.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What announcements may put in the route table: bounded, and refusals say why. */
class RouteTableLimitsTest {
    private final RegistrationDecoder decoder = new RegistrationDecoder();

    private static RouteTable table(int uris, int instancesPerApp, int endpoints) {
        return new RouteTable(System::nanoTime, Duration.ofSeconds(120), () -> false,
                new RouteTable.Limits(uris, instancesPerApp, endpoints));
    }

    private Optional<MalformedReason> register(RouteTable table, String json) throws Exception {
        return table.register(decoder.decode(bytes(json)));
    }

    private static String[] uris(int n) {
        return IntStream.range(0, n).mapToObj(i -> "r" + i + ".apps.example.com").toArray(String[]::new);
    }

    @Test
    void routesBeyondTheLimitOfOneMessageAreRefusedTheFirstOnesKept() throws Exception {
        RouteTable table = table(3, 10, 100);

        assertThat(register(table, instance("a", 0, "10.0.0.1", 61000, uris(5)))).contains(MalformedReason.TOO_MANY_URIS);

        assertThat(table.routeCount()).isEqualTo(3);
        assertThat(((Lookup.Found) table.byRoute("r2.apps.example.com")).app().instances()).hasSize(1);
        assertThat(table.byRoute("r3.apps.example.com")).isInstanceOf(Lookup.Unknown.class);
    }

    @Test
    void routesAccumulatedOverManyMessagesStopAtTheLimitToo() throws Exception {
        RouteTable table = table(2, 10, 100);
        for (String uri : uris(4)) {
            register(table, instance("a", 0, "10.0.0.1", 61000, uri));
        }

        assertThat(table.routeCount()).isEqualTo(2);
        assertThat(register(table, instance("a", 0, "10.0.0.1", 61000, "r0.apps.example.com"))).isEmpty(); // refreshes still work
    }

    @Test
    void aNewInstanceBeyondTheAppsLimitIsRefusedAndTheKnownOnesStay() throws Exception {
        RouteTable table = table(10, 2, 100);
        register(table, instance("a", 0, "10.0.0.1", 61000, "a.apps.example.com"));
        register(table, instance("a", 1, "10.0.0.2", 61000, "a.apps.example.com"));

        assertThat(register(table, instance("a", 2, "10.0.0.3", 61000, "a.apps.example.com")))
                .contains(MalformedReason.TOO_MANY_INSTANCES);
        assertThat(register(table, instance("a", 1, "10.0.0.2", 61000, "a.apps.example.com"))).isEmpty();
        assertThat(register(table, instance("b", 0, "10.0.0.4", 61000, "b.apps.example.com"))).isEmpty();
        assertThat(table.instanceCount()).isEqualTo(3);
    }

    @Test
    void aNewEndpointBeyondTheTablesLimitIsRefused() throws Exception {
        RouteTable table = table(10, 10, 2);
        register(table, instance("a", 0, "10.0.0.1", 61000, "a.apps.example.com"));
        register(table, instance("b", 0, "10.0.0.2", 61000, "b.apps.example.com"));

        assertThat(register(table, instance("c", 0, "10.0.0.3", 61000, "c.apps.example.com"))).contains(MalformedReason.TABLE_FULL);
        assertThat(table.byNames("o", "s", "c")).isInstanceOf(Lookup.Unknown.class);
        assertThat(table.appCount()).isEqualTo(2);
    }

    @Test
    void aMessageWithTensOfThousandsOfRoutesIsCutNotHeld() throws Exception {
        RouteTable table = table(100, 10, 100);
        String[] many = uris(40_000); // almost 1 MB, the largest message NATS delivers by default

        assertThat(register(table, instance("a", 0, "10.0.0.1", 61000, many))).contains(MalformedReason.TOO_MANY_URIS);
        assertThat(table.unregister(decoder.decode(bytes(instance("a", 0, "10.0.0.1", 61000, many))))).isTrue();

        assertThat(table.routeCount()).isZero();
        assertThat(table.instanceCount()).isZero();
    }

    @Test
    void zeroEndpointsMeansOnePerKibOfAQuarterOfTheHeap() {
        assertThat(RouteTable.Limits.maxEndpointsFor(0)).isEqualTo((int) (Runtime.getRuntime().maxMemory() / 4 / 1024));
        assertThat(RouteTable.Limits.maxEndpointsFor(5)).isEqualTo(5);
    }
}
