package io.promfetcher.routes;

import static io.promfetcher.routes.Announcements.bytes;
import static io.promfetcher.routes.Announcements.component;
import static io.promfetcher.routes.Announcements.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The route table tells what left it, and {@link RecentlyRemoved} keeps a bounded record of it. */
class RecentlyRemovedTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final RouteTable table = new RouteTable(nanos::get, Duration.ofSeconds(120), () -> false);
    private final RecentlyRemoved removed = new RecentlyRemoved(new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return T0.plusNanos(nanos.get());
        }
    });
    private final RegistrationDecoder decoder = new RegistrationDecoder();

    RecentlyRemovedTest() {
        table.onRemoval(removed);
    }

    private void register(String json) throws MalformedMessageException {
        table.register(decoder.decode(bytes(json)));
    }

    private void unregister(String json) throws MalformedMessageException {
        table.unregister(decoder.decode(bytes(json)));
    }

    @Test
    void aPrunedInstanceIsRecordedWithWhenItWasRemovedAndLastAnnounced() throws Exception {
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        Instant announced = T0.plusNanos(nanos.get());
        nanos.addAndGet(Duration.ofSeconds(121).toNanos());
        assertThat(table.pruneStale()).isEqualTo(1);

        RecentlyRemoved.RemovedApp app = removed.byAppGuid(Announcements.guid("app")).orElseThrow();
        assertThat(app.app().appName()).isEqualTo("app");
        RecentlyRemoved.RemovedInstance gone = app.latest();
        assertThat(gone.cause()).isEqualTo(Removal.Cause.PRUNED);
        assertThat(gone.lastSeen()).isEqualTo(announced);
        assertThat(gone.removedAt()).isEqualTo(announced.plusSeconds(121));
        assertThat(gone.instance().address()).isEqualTo("10.0.0.1:8080");
        assertThat(gone.instance().uris()).containsExactly("app.example.com");
    }

    @Test
    void anUnregisteredInstanceIsRecordedWithTheRoutesItHad() throws Exception {
        register(instance("app", 0, "10.0.0.1", 8080, "a.example.com"));
        register(instance("app", 0, "10.0.0.1", 8080, "b.example.com"));
        unregister(instance("app", 0, "10.0.0.1", 8080, "a.example.com"));
        assertThat(removed.all()).as("one route left: the instance is still there").isEmpty();

        unregister(instance("app", 0, "10.0.0.1", 8080, "b.example.com"));
        RecentlyRemoved.RemovedInstance gone = removed.byAppGuid(Announcements.guid("app")).orElseThrow().latest();
        assertThat(gone.cause()).isEqualTo(Removal.Cause.UNREGISTERED);
        assertThat(gone.instance().uris()).containsExactly("b.example.com");
        assertThat(table.routeCount()).isZero();
        assertThat(table.byRoute("b.example.com")).isInstanceOf(Lookup.Unknown.class);
    }

    @Test
    void boshComponentsAreNotRecorded() throws Exception {
        register(component("uaa", "10.0.0.50", 8080, "uaa.sys.example.com"));
        nanos.addAndGet(Duration.ofSeconds(121).toNanos());
        assertThat(table.pruneStale()).isEqualTo(1);
        assertThat(removed.all()).isEmpty();
    }

    @Test
    void theRecordKeepsTheNewestInstancesOfAnApp() throws Exception {
        for (int i = 0; i < RecentlyRemoved.MAX_INSTANCES_PER_APP + 4; i++) {
            register(instance("big", i, "10.0.1." + i, 8080, "big.example.com"));
            unregister(instance("big", i, "10.0.1." + i, 8080));
        }
        RecentlyRemoved.RemovedApp big = removed.byAppGuid(Announcements.guid("big")).orElseThrow();
        assertThat(big.instances()).hasSize(RecentlyRemoved.MAX_INSTANCES_PER_APP);
        assertThat(big.latest().instance().index()).isEqualTo(Integer.toString(RecentlyRemoved.MAX_INSTANCES_PER_APP + 3));
    }

    @Test
    void theRecordKeepsTheAppsRemovedLast() throws Exception {
        for (int a = 0; a < RecentlyRemoved.MAX_APPS + 10; a++) {
            register(instance("app" + a, 0, "10.1." + (a / 250) + "." + (a % 250), 8080, "app" + a + ".example.com"));
            unregister(instance("app" + a, 0, "10.1." + (a / 250) + "." + (a % 250), 8080));
        }
        assertThat(removed.all()).hasSize(RecentlyRemoved.MAX_APPS);
        assertThat(removed.all().get(0).app().appName()).as("newest first").isEqualTo("app" + (RecentlyRemoved.MAX_APPS + 9));
        assertThat(removed.byAppGuid(Announcements.guid("app0"))).as("the oldest is forgotten").isEmpty();
    }
}
