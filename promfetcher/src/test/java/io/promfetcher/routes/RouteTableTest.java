package io.promfetcher.routes;

import static io.promfetcher.routes.Announcements.appInstance;
import static io.promfetcher.routes.Announcements.bytes;
import static io.promfetcher.routes.Announcements.component;
import static io.promfetcher.routes.Announcements.guid;
import static io.promfetcher.routes.Announcements.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AtomicBoolean warmingUp = new AtomicBoolean(false);
    private final RouteTable table = new RouteTable(clock::get, Duration.ofSeconds(120), warmingUp::get);
    private final RegistrationDecoder decoder = new RegistrationDecoder();

    private void register(String json) {
        try {
            table.register(decoder.decode(bytes(json)));
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }

    private boolean unregister(String json) {
        try {
            return table.unregister(decoder.decode(bytes(json)));
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    private AppView found(Lookup lookup) {
        assertThat(lookup).isInstanceOf(Lookup.Found.class);
        return ((Lookup.Found) lookup).app();
    }

    @Test
    void aRegisteredInstanceIsFoundByNamesGuidAndRoute() {
        register(appInstance("my-org", "dev", "my-app", "app-1", "inst-1", "0", "10.0.1.12", 61012, 61014,
                "my-app.apps.example.com"));

        AppView byNames = found(table.byNames("my-org", "dev", "my-app"));
        assertThat(byNames.identity()).isEqualTo(new AppIdentity("org-my-org", "my-org", "space-dev", "dev", "app-1", "my-app"));
        assertThat(byNames.instances()).singleElement().satisfies(i -> {
            assertThat(i.index()).isEqualTo("0");
            assertThat(i.instanceId()).isEqualTo("inst-1");
            assertThat(i.address()).isEqualTo("10.0.1.12:61014");
            assertThat(i.tls()).isTrue();
            assertThat(i.serverCertDomainSan()).isEqualTo("inst-1");
            assertThat(i.uris()).containsExactly("my-app.apps.example.com");
            assertThat(i.staleThreshold()).isEqualTo(Duration.ofSeconds(120));
        });
        assertThat(found(table.byAppGuid("app-1"))).isEqualTo(byNames);
        assertThat(found(table.byRoute("my-app.apps.example.com"))).isEqualTo(byNames);
    }

    @Test
    void oneInstanceUnderThreeUrisIsCountedOnce() {
        for (String uri : List.of("a.example.com", "b.example.com", "c.example.com/path")) {
            register(instance("app", 0, "10.0.0.1", 8080, uri));
        }
        assertThat(table.instanceCount()).isEqualTo(1);
        assertThat(table.routeCount()).isEqualTo(3);
        AppView app = found(table.byAppGuid(guid("app")));
        assertThat(app.instances()).singleElement()
                .satisfies(i -> assertThat(i.uris()).containsExactly("a.example.com", "b.example.com", "c.example.com/path"));
        assertThat(found(table.byRoute("b.example.com"))).isEqualTo(app);
    }

    @Test
    void aRefreshKeepsTheInstanceAndResetsItsAge() {
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        advance(Duration.ofSeconds(30));
        assertThat(found(table.byAppGuid(guid("app"))).instances().get(0).sinceRefresh()).isEqualTo(Duration.ofSeconds(30));
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        assertThat(found(table.byAppGuid(guid("app"))).instances().get(0).sinceRefresh()).isZero();
        assertThat(table.instanceCount()).isEqualTo(1);
    }

    @Test
    void unknownAppIsUnknownOnceWarmedUpAndWarmingUpBefore() {
        warmingUp.set(true);
        assertThat(table.byNames("o", "s", "nope")).isEqualTo(Lookup.WARMING_UP);
        assertThat(table.byAppGuid("nope")).isEqualTo(Lookup.WARMING_UP);
        assertThat(table.byRoute("nope.example.com")).isEqualTo(Lookup.WARMING_UP);
        warmingUp.set(false);
        assertThat(table.byNames("o", "s", "nope")).isEqualTo(Lookup.UNKNOWN);
        assertThat(table.byAppGuid("nope")).isEqualTo(Lookup.UNKNOWN);
        assertThat(table.byRoute("nope.example.com")).isEqualTo(Lookup.UNKNOWN);
    }

    @Test
    void instancesAreOrderedByNumericIndexAndAppearInEveryLookup() {
        for (int i : new int[] {10, 2, 0, 1}) {
            register(instance("app", i, "10.0.0." + i, 8080, "app.example.com"));
        }
        assertThat(found(table.byNames("o", "s", "app")).instances()).extracting(Instance::index)
                .containsExactly("0", "1", "2", "10");
    }

    @Test
    void aRollingRestartShowsBothInstancesWithTheSameIndex() {
        register(appInstance("o", "s", "app", "app-1", "old-guid", "0", "10.0.0.1", 8080, 0, "app.example.com"));
        register(appInstance("o", "s", "app", "app-1", "new-guid", "0", "10.0.0.2", 8080, 0, "app.example.com"));
        assertThat(found(table.byAppGuid("app-1")).instances()).extracting(Instance::address)
                .containsExactly("10.0.0.2:8080", "10.0.0.1:8080"); // same index: ordered by instance GUID
    }

    @Test
    void unregisteringTheOnlyRouteRemovesTheInstanceAndTheApp() {
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        assertThat(unregister(instance("app", 0, "10.0.0.1", 8080, "app.example.com"))).isTrue();
        assertThat(table.byAppGuid(guid("app"))).isEqualTo(Lookup.UNKNOWN);
        assertThat(table.byNames("o", "s", "app")).isEqualTo(Lookup.UNKNOWN);
        assertThat(table.byRoute("app.example.com")).isEqualTo(Lookup.UNKNOWN);
        assertThat(table.appCount()).isZero();
        assertThat(table.instanceCount()).isZero();
        assertThat(table.routeCount()).isZero();
    }

    @Test
    void unregisteringOneOfTwoRoutesKeepsTheInstanceUnderTheOther() {
        register(instance("app", 0, "10.0.0.1", 8080, "a.example.com"));
        register(instance("app", 0, "10.0.0.1", 8080, "b.example.com"));
        unregister(instance("app", 0, "10.0.0.1", 8080, "a.example.com"));
        assertThat(table.byRoute("a.example.com")).isEqualTo(Lookup.UNKNOWN);
        assertThat(found(table.byRoute("b.example.com")).instances()).singleElement()
                .satisfies(i -> assertThat(i.uris()).containsExactly("b.example.com"));
    }

    @Test
    void unregisteringAnUnknownEndpointChangesNothing() {
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        assertThat(unregister(instance("other", 0, "10.0.0.9", 8080, "other.example.com"))).isFalse();
        assertThat(table.instanceCount()).isEqualTo(1);
    }

    @Test
    void anEndpointNotRefreshedWithinItsThresholdIsPruned() {
        register(instance("old", 0, "10.0.0.1", 8080, "old.example.com"));
        advance(Duration.ofSeconds(100));
        register(instance("young", 0, "10.0.0.2", 8080, "young.example.com"));
        advance(Duration.ofSeconds(20));
        assertThat(table.pruneStale()).isZero(); // exactly 120 s: not yet
        advance(Duration.ofMillis(1));
        assertThat(table.pruneStale()).isEqualTo(1);
        assertThat(table.byAppGuid(guid("old"))).isEqualTo(Lookup.UNKNOWN);
        assertThat(table.byAppGuid(guid("young"))).isInstanceOf(Lookup.Found.class);
        assertThat(table.routeCount()).isEqualTo(1);
    }

    @Test
    void tlsEndpointsArePrunedToo() {
        register(appInstance("o", "s", "app", "app-1", "i-1", "0", "10.0.0.1", 8080, 8443, "app.example.com"));
        advance(Duration.ofSeconds(121));
        assertThat(table.pruneStale()).isEqualTo(1);
    }

    @Test
    void aMessageThresholdBelowTheCapIsHonouredAndAboveItIsCapped() {
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com")
                .replace("{\"host\"", "{\"stale_threshold_in_seconds\":10,\"host\""));
        register(instance("app", 1, "10.0.0.2", 8080, "app.example.com")
                .replace("{\"host\"", "{\"stale_threshold_in_seconds\":100000,\"host\""));
        assertThat(found(table.byAppGuid(guid("app"))).instances()).extracting(Instance::staleThreshold)
                .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(120));
        advance(Duration.ofSeconds(11));
        assertThat(table.pruneStale()).isEqualTo(1);
        assertThat(found(table.byAppGuid(guid("app"))).instances()).extracting(Instance::index).containsExactly("1");
    }

    @Test
    void boshComponentsStayOutOfAppLookupsButAreInTheSnapshot() {
        register(component("uaa", "10.0.0.50", 8080, "uaa.sys.example.com", "login.sys.example.com"));
        assertThat(table.byRoute("uaa.sys.example.com")).isEqualTo(Lookup.UNKNOWN);
        assertThat(table.appCount()).isZero();
        assertThat(table.instanceCount()).isZero();
        assertThat(table.componentCount()).isEqualTo(1);
        assertThat(table.routeCount()).isEqualTo(2);
        assertThat(table.snapshot().components()).singleElement().satisfies(c -> {
            assertThat(c.component()).isEqualTo("uaa");
            assertThat(c.uris()).containsExactly("uaa.sys.example.com", "login.sys.example.com");
        });
        advance(Duration.ofSeconds(121));
        assertThat(table.pruneStale()).isEqualTo(1);
        assertThat(table.componentCount()).isZero();
        assertThat(table.routeCount()).isZero();
    }

    @Test
    void routeLookupIgnoresCaseSchemeQueryAndTrailingSlashAndUsesTheLongestPathPrefix() {
        register(instance("root", 0, "10.0.0.1", 8080, "shop.example.com"));
        register(instance("api", 0, "10.0.0.2", 8080, "shop.example.com/api"));
        assertThat(found(table.byRoute("SHOP.example.com/")).identity().appName()).isEqualTo("root");
        assertThat(found(table.byRoute("https://shop.example.com/api/v1/x?y=1")).identity().appName()).isEqualTo("api");
        assertThat(found(table.byRoute("shop.example.com/other")).identity().appName()).isEqualTo("root");
    }

    @Test
    void aWildcardRouteMatchesAnyHostOfItsDomain() {
        register(instance("catchall", 0, "10.0.0.1", 8080, "*.apps.example.com"));
        assertThat(found(table.byRoute("anything.apps.example.com")).identity().appName()).isEqualTo("catchall");
        assertThat(table.byRoute("apps.example.com")).isEqualTo(Lookup.UNKNOWN);
    }

    @Test
    void aRouteMappedToTwoAppsIsAmbiguousWithBoth() {
        register(instance("blue", 0, "10.0.0.1", 8080, "shop.example.com"));
        register(instance("green", 0, "10.0.0.2", 8080, "shop.example.com"));
        Lookup lookup = table.byRoute("shop.example.com");
        assertThat(lookup).isInstanceOf(Lookup.Ambiguous.class);
        assertThat(lookup.apps()).extracting(a -> a.identity().appName()).containsExactly("blue", "green");
        unregister(instance("blue", 0, "10.0.0.1", 8080, "shop.example.com"));
        assertThat(found(table.byRoute("shop.example.com")).identity().appName()).isEqualTo("green");
    }

    @Test
    void aRenamedAppIsFoundUnderItsNewNameOnly() {
        register(appInstance("o", "s", "before", "app-1", "i-0", "0", "10.0.0.1", 8080, 0, "app.example.com"));
        register(appInstance("o", "s", "after", "app-1", "i-0", "0", "10.0.0.1", 8080, 0, "app.example.com"));
        assertThat(table.byNames("o", "s", "before")).isEqualTo(Lookup.UNKNOWN);
        assertThat(found(table.byNames("o", "s", "after")).identity().appName()).isEqualTo("after");
        assertThat(table.instanceCount()).isEqualTo(1);
    }

    @Test
    void aReusedAddressEvictsTheDeadInstanceOfAnotherApp() {
        register(instance("dead", 0, "10.0.0.1", 61000, "dead.example.com"));
        register(instance("alive", 0, "10.0.0.1", 61000, "alive.example.com"));
        assertThat(table.byAppGuid(guid("dead"))).isEqualTo(Lookup.UNKNOWN);
        assertThat(found(table.byAppGuid(guid("alive"))).instances()).singleElement()
                .satisfies(i -> assertThat(i.address()).isEqualTo("10.0.0.1:61000"));
        assertThat(table.instanceCount()).isEqualTo(1);
    }

    @Test
    void twoEndpointsNeverShareAScrapeAddressEvenWhenTheirPlainPortsDiffer() {
        register(appInstance("o", "s", "dead", "app-1", "i-1", "0", "10.0.0.1", 8080, 8443, "dead.example.com"));
        register(appInstance("o", "s", "alive", "app-2", "i-2", "0", "10.0.0.1", 0, 8443, "alive.example.com"));
        assertThat(table.byAppGuid("app-1")).isEqualTo(Lookup.UNKNOWN);
        assertThat(found(table.byAppGuid("app-2")).instances()).extracting(Instance::address).containsExactly("10.0.0.1:8443");
    }

    @Test
    void anInstanceThatMovesKeepsItsRoutesAndLeavesItsOldAddress() {
        register(appInstance("o", "s", "app", "app-1", "i-0", "0", "10.0.0.1", 8080, 0, "a.example.com"));
        register(appInstance("o", "s", "app", "app-1", "i-0", "0", "10.0.0.2", 9090, 0, "b.example.com"));
        assertThat(found(table.byAppGuid("app-1")).instances()).singleElement().satisfies(i -> {
            assertThat(i.address()).isEqualTo("10.0.0.2:9090");
            assertThat(i.uris()).containsExactly("b.example.com", "a.example.com");
        });
        register(instance("other", 0, "10.0.0.1", 8080, "other.example.com"));
        assertThat(table.instanceCount()).isEqualTo(2);
        assertThat(table.routeCount()).isEqualTo(3);
    }

    @Test
    void anInstanceWithoutGuidIsKeyedByAddress() {
        String noGuid = "{\"host\":\"10.0.0.1\",\"port\":8080,\"uris\":[\"%s\"],\"app\":\"app-1\",\"tags\":{\"app_name\":\"app\",\"space_name\":\"s\",\"organization_name\":\"o\"}}";
        register(noGuid.formatted("a.example.com"));
        register(noGuid.formatted("b.example.com"));
        assertThat(table.instanceCount()).isEqualTo(1);
        assertThat(unregister(noGuid.formatted("a.example.com"))).isTrue();
        assertThat(unregister(noGuid.formatted("b.example.com"))).isTrue();
        assertThat(table.instanceCount()).isZero();
    }

    @Test
    void anUnregisterWithoutRoutesWithdrawsTheWholeEndpoint() {
        register(instance("app", 0, "10.0.0.1", 8080, "a.example.com"));
        register(instance("app", 0, "10.0.0.1", 8080, "b.example.com"));
        unregister(instance("app", 0, "10.0.0.1", 8080));
        assertThat(table.instanceCount()).isZero();
        assertThat(table.routeCount()).isZero();
    }

    @Test
    void aLookupResultDoesNotChangeAfterwards() {
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        AppView before = found(table.byAppGuid(guid("app")));
        register(instance("app", 1, "10.0.0.2", 8080, "app.example.com"));
        advance(Duration.ofSeconds(121));
        table.pruneStale();
        assertThat(before.instances()).hasSize(1);
        assertThat(before.instances().get(0).sinceRefresh()).isZero();
    }

    @Test
    void snapshotListsAppsByNames() {
        register(appInstance("b-org", "s", "x", "g1", "i1", "0", "10.0.0.1", 1, 0, "x.example.com"));
        register(appInstance("a-org", "s", "z", "g2", "i2", "0", "10.0.0.2", 1, 0, "z.example.com"));
        register(appInstance("a-org", "s", "y", "g3", "i3", "0", "10.0.0.3", 1, 0, "y.example.com"));
        assertThat(table.snapshot().apps()).extracting(a -> a.identity().appName()).containsExactly("y", "z", "x");
        assertThat(table.apps()).hasSize(3);
    }

    @Test
    void lastAnnouncementTimeFollowsRegistrations() {
        assertThat(table.lastAnnouncementNanos()).isEmpty();
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        assertThat(table.lastAnnouncementNanos()).hasValue(clock.get());
    }

    @Test
    void concurrentReadersAlwaysSeeACompleteInstanceList() throws Exception {
        // Two instances are announced, then one moves address repeatedly: a reader must always see two.
        register(instance("app", 0, "10.0.0.1", 8080, "app.example.com"));
        register(instance("app", 1, "10.0.1.1", 8080, "app.example.com"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong wrong = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                if (table.byAppGuid(guid("app")).apps().get(0).instances().size() != 2) {
                    wrong.incrementAndGet();
                }
            }
        });
        reader.start();
        for (int n = 0; n < 2_000; n++) {
            register(instance("app", 1, "10.0.1." + (n % 200 + 1), 8000 + n % 7, "app.example.com"));
        }
        stop.set(true);
        reader.join();
        assertThat(wrong.get()).isZero();
        assertThat(table.instanceCount()).isEqualTo(2);
    }
}
