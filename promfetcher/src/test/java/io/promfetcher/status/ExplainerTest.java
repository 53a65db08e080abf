package io.promfetcher.status;

import static io.promfetcher.routes.Announcements.appInstance;
import static io.promfetcher.routes.Announcements.bytes;
import static io.promfetcher.routes.Announcements.guid;
import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.api.AppSelector;
import io.promfetcher.api.ScrapePreferences;
import io.promfetcher.exposition.FailureReason;
import io.promfetcher.exposition.MergeReport;
import io.promfetcher.exposition.TargetLabels;
import io.promfetcher.routes.InternalRoutes;
import io.promfetcher.routes.RecentlyRemoved;
import io.promfetcher.routes.RegistrationDecoder;
import io.promfetcher.routes.RouteTable;
import io.promfetcher.scrape.MetricPath;
import io.promfetcher.status.Explanation.Code;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One case per reason an app is, or is not, in Prometheus; nothing here contacts an instance. */
class ExplainerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicBoolean warmingUp = new AtomicBoolean(false);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return T0.plusNanos(nanos.get());
        }
    };
    private final RouteTable table = new RouteTable(nanos::get, Duration.ofSeconds(120), warmingUp::get);
    private final RecentlyRemoved removed = new RecentlyRemoved(clock);
    private final InternalRoutes internal = new InternalRoutes(nanos::get, Duration.ofSeconds(120));
    private final LastScrapes scrapes = new LastScrapes(clock);
    private final List<String> excluded = new ArrayList<>();
    private final ScrapePreferences preferences = new ScrapePreferences() {
        @Override
        public Optional<Preference<MetricPath>> metricPath(String appGuid) {
            return Optional.empty();
        }

        @Override
        public Optional<Preference<Boolean>> scrape(String appGuid) {
            return excluded.contains(appGuid) ? Optional.of(new Preference<>(false, "service binding scrape:false")) : Optional.empty();
        }
    };
    private final Explainer explainer = new Explainer(table, removed, internal, true, scrapes, preferences, clock);
    private final RegistrationDecoder decoder = new RegistrationDecoder();

    ExplainerTest() {
        table.onRemoval(removed);
    }

    private void announce(String org, String space, String app, int index, int port) throws Exception {
        table.register(decoder.decode(bytes(appInstance(org, space, app, guid(app), guid(app + "/" + index),
                Integer.toString(index), "10.0.0." + (index + 1), port, 0, app + ".apps.example.com"))));
    }

    private void unannounce(String org, String space, String app, int index, int port) throws Exception {
        table.unregister(decoder.decode(bytes(appInstance(org, space, app, guid(app), guid(app + "/" + index),
                Integer.toString(index), "10.0.0." + (index + 1), port, 0, app + ".apps.example.com"))));
    }

    /** A scrape of {@code app}'s instances answered with {@code status}; {@code null} reason = up. */
    private void scraped(String org, String space, String app, int status, FailureReason... reasons) {
        List<MergeReport.InstanceOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < reasons.length; i++) {
            TargetLabels labels = new TargetLabels("org-" + org, org, "space-" + space, space, guid(app), app,
                    Integer.toString(i), Integer.toString(i), "10.0.0." + (i + 1) + ":8080");
            Optional<FailureReason> reason = Optional.ofNullable(reasons[i]);
            Optional<MergeReport.ParseFailure> parse = reason.filter(FailureReason.PARSE::equals)
                    .map(r -> new MergeReport.ParseFailure(3, 7, "unexpected character"));
            outcomes.add(new MergeReport.InstanceOutcome(labels, reason, parse, reason.isEmpty() ? 12 : 0, 0, 0, false,
                    Duration.ofMillis(40 + i)));
        }
        scrapes.answered(new MergeReport(outcomes), status);
    }

    private static AppSelector names(String org, String space, String app) {
        return new AppSelector.ByNames(org, space, app);
    }

    private void later(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void okWhenEveryInstanceAnsweredTheLastScrape() throws Exception {
        announce("thux", "local", "resolver", 0, 8080);
        announce("thux", "local", "resolver", 1, 8080);
        scraped("thux", "local", "resolver", 200, null, null);
        later(Duration.ofSeconds(3));

        Explanation e = explainer.explain(names("thux", "local", "resolver"));
        assertThat(e.code()).isEqualTo(Code.OK);
        assertThat(e.summary()).contains("resolves to app thux/local/resolver with 2 instances")
                .contains("every instance answered the last scrape").contains("3 s ago").contains("HTTP 200");
        assertThat(e.apps()).singleElement().satisfies(app -> {
            assertThat(app.app().instances()).hasSize(2);
            assertThat(app.app().instances().get(0).sinceRefresh()).isEqualTo(Duration.ofSeconds(3));
            assertThat(app.lastScrape()).isPresent();
        });
    }

    @Test
    void partlyFailingNamesTheFailingInstanceAndItsReason() throws Exception {
        announce("thux", "local", "resolver", 0, 8080);
        announce("thux", "local", "resolver", 1, 8080);
        scraped("thux", "local", "resolver", 200, null, FailureReason.TIMEOUT);

        Explanation e = explainer.explain(new AppSelector.ByGuid(guid("resolver")));
        assertThat(e.code()).isEqualTo(Code.PARTLY_FAILING);
        assertThat(e.summary()).contains("1 of 2 instances failed").contains("index 1 (10.0.0.2:8080) timeout");
        assertThat(e.details().get(0)).startsWith("timeout: did not answer in time");
    }

    @Test
    void allFailingGivesEachInstancesReasonInWords() throws Exception {
        announce("o", "s", "locked", 0, 8080);
        announce("o", "s", "locked", 1, 8080);
        scraped("o", "s", "locked", 401, FailureReason.http(401), FailureReason.http(401));

        Explanation e = explainer.explain(names("o", "s", "locked"));
        assertThat(e.code()).isEqualTo(Code.ALL_FAILING);
        assertThat(e.summary()).contains("every instance failed on the last scrape").contains("HTTP 401")
                .contains("index 0 (10.0.0.1:8080) http_401").contains("index 1 (10.0.0.2:8080) http_401");
        assertThat(e.details()).first().asString().contains("refused the credentials");
    }

    @Test
    void allFailingWithAParseErrorSaysWhere() throws Exception {
        announce("o", "s", "garbled", 0, 8080);
        scraped("o", "s", "garbled", 502, FailureReason.PARSE);

        Explanation e = explainer.explain(names("o", "s", "garbled"));
        assertThat(e.code()).isEqualTo(Code.ALL_FAILING);
        assertThat(e.summary()).contains("parse at line 3, column 7: unexpected character");
    }

    @Test
    void notScrapedWhenNobodyAskedSinceTheGatewayStarted() throws Exception {
        announce("o", "s", "quiet", 0, 8080);
        Explanation e = explainer.explain(names("o", "s", "quiet"));
        assertThat(e.code()).isEqualTo(Code.NOT_SCRAPED);
        assertThat(e.summary()).contains("nobody has asked this gateway for its metrics since it started");
    }

    @Test
    void excludedFromDiscoveryWhenTheAppAskedNotToBeScraped() throws Exception {
        announce("o", "s", "shy", 0, 8080);
        excluded.add(guid("shy"));
        Explanation e = explainer.explain(names("o", "s", "shy"));
        assertThat(e.code()).isEqualTo(Code.EXCLUDED_FROM_DISCOVERY);
        assertThat(e.summary()).contains("asked not to be scraped (service binding scrape:false)").contains("/v1/sd");
        assertThat(e.apps().get(0).listed()).isFalse();
    }

    @Test
    void unknownNamesTheAppWhoseNamesDifferOnlyInCase() throws Exception {
        announce("thux", "local", "resolver", 0, 8080);
        Explanation e = explainer.explain(names("thux", "local", "Resolver"));
        assertThat(e.code()).isEqualTo(Code.UNKNOWN);
        assertThat(e.summary()).contains("No app named thux/local/Resolver")
                .contains("nearest known: thux/local/resolver (the same names but for upper and lower case");
        assertThat(e.details()).anyMatch(d -> d.contains("TCP routes"));
    }

    @Test
    void unknownNamesTheSameAppInAnotherSpaceAndSimilarNames() throws Exception {
        announce("thux", "prod", "resolver", 0, 8080);
        announce("thux", "local", "resolvr", 1, 8081);
        announce("thux", "local", "frontend", 2, 8082);
        Explanation e = explainer.explain(names("thux", "local", "resolver"));
        assertThat(e.code()).isEqualTo(Code.UNKNOWN);
        assertThat(e.suggestions()).extracting(s -> Explainer.name(s.app()) + ": " + s.why())
                .containsExactly("thux/prod/resolver: the same app in another space",
                        "thux/local/resolvr: a similar name in the same space");
    }

    @Test
    void unknownGuidThatIsASpacesGuidSaysSo() throws Exception {
        announce("thux", "local", "resolver", 0, 8080);
        Explanation e = explainer.explain(new AppSelector.ByGuid("space-local"));
        assertThat(e.code()).isEqualTo(Code.UNKNOWN);
        assertThat(e.suggestions()).singleElement().satisfies(s -> assertThat(s.why()).contains("its space's, local"));
    }

    @Test
    void unknownRouteNamesTheAppWithTheClosestRoute() throws Exception {
        announce("thux", "local", "resolver", 0, 8080);
        Explanation e = explainer.explain(new AppSelector.ByRoute("resolvr.apps.example.com"));
        assertThat(e.code()).isEqualTo(Code.UNKNOWN);
        assertThat(e.suggestions()).singleElement().satisfies(s -> assertThat(s.why()).contains("resolver.apps.example.com"));
    }

    @Test
    void warmingUpWhenTheTableIsStillFilling() {
        warmingUp.set(true);
        Explanation e = explainer.explain(names("thux", "local", "resolver"));
        assertThat(e.code()).isEqualTo(Code.WARMING_UP);
        assertThat(e.summary()).contains("still warming up");
    }

    @Test
    void prunedSaysWhenAndWhenTheAppWasLastAnnounced() throws Exception {
        announce("thux", "local", "cleaner", 0, 8080);
        later(Duration.ofSeconds(121));
        table.pruneStale();
        later(Duration.ofSeconds(60));

        Explanation e = explainer.explain(names("thux", "local", "cleaner"));
        assertThat(e.code()).isEqualTo(Code.PRUNED);
        assertThat(e.summary()).contains("pruned at 2026-12-01T10:02:01Z (60 s ago)")
                .contains("last announced at 2026-12-01T10:00:00Z (3 min ago)").contains("stale threshold 120 s");
        assertThat(e.removed()).singleElement().satisfies(app -> assertThat(app.instances()).hasSize(1));
    }

    @Test
    void unregisteredSaysThePlatformRemovedItsRoutes() throws Exception {
        announce("thux", "local", "tracker", 0, 8080);
        later(Duration.ofSeconds(5));
        unannounce("thux", "local", "tracker", 0, 8080);

        Explanation e = explainer.explain(new AppSelector.ByRoute("tracker.apps.example.com"));
        assertThat(e.code()).isEqualTo(Code.UNREGISTERED);
        assertThat(e.summary()).contains("the platform unregistered its routes").contains("stopped, scaled to zero");
    }

    @Test
    void internalRoutesOnlyByGuidByRouteAndByNameGuess() throws Exception {
        String backend = guid("backend");
        internal.register(decoder.decodeInternal(bytes("{\"host\":\"10.255.3.4\",\"uris\":[\"backend.apps.internal\","
                + "\"0.backend.apps.internal\"],\"app\":\"" + backend + "\",\"private_instance_index\":\"0\"}")));

        assertThat(explainer.explain(new AppSelector.ByGuid(backend)).code()).isEqualTo(Code.INTERNAL_ROUTES_ONLY);
        assertThat(explainer.explain(new AppSelector.ByRoute("backend.apps.internal")).code()).isEqualTo(Code.INTERNAL_ROUTES_ONLY);
        Explanation byName = explainer.explain(names("thux", "local", "backend"));
        assertThat(byName.code()).isEqualTo(Code.INTERNAL_ROUTES_ONLY);
        assertThat(byName.summary()).contains("announced only on internal routes (backend.apps.internal)")
                .contains("match is by host name");
        assertThat(byName.internal()).singleElement().satisfies(app -> assertThat(app.appGuid()).isEqualTo(backend));
    }

    @Test
    void aRouteOfABoshComponentIsNotAnApp() throws Exception {
        table.register(decoder.decode(bytes("{\"host\":\"10.0.0.50\",\"port\":8080,\"uris\":[\"uaa.sys.example.com\"],"
                + "\"tags\":{\"component\":\"uaa\"}}")));
        Explanation e = explainer.explain(new AppSelector.ByRoute("uaa.sys.example.com"));
        assertThat(e.code()).isEqualTo(Code.COMPONENT_ROUTE);
        assertThat(e.summary()).contains("BOSH component \"uaa\"");
    }

    @Test
    void severalAppsBehindOneRouteAreAllExplained() throws Exception {
        table.register(decoder.decode(bytes(appInstance("o", "s", "blue", guid("blue"), guid("blue/0"), "0", "10.0.0.1",
                8080, 0, "shop.example.com"))));
        table.register(decoder.decode(bytes(appInstance("o", "s", "green", guid("green"), guid("green/0"), "0", "10.0.0.2",
                8080, 0, "shop.example.com"))));
        Explanation e = explainer.explain(new AppSelector.ByRoute("shop.example.com"));
        assertThat(e.apps()).hasSize(2);
        assertThat(e.summary()).contains("resolves to 2 apps with 2 instances");
        assertThat(e.details()).anyMatch(d -> d.contains("Several apps answer to it"));
    }

    @Test
    void aResolvedAppStillShowsItsInstancesThatWerePruned() throws Exception {
        announce("thux", "local", "resolver", 0, 8080);
        announce("thux", "local", "resolver", 1, 8080);
        later(Duration.ofSeconds(100));
        announce("thux", "local", "resolver", 0, 8080);
        later(Duration.ofSeconds(30));
        table.pruneStale();
        Explanation e = explainer.explain(names("thux", "local", "resolver"));
        assertThat(e.apps().get(0).app().instances()).hasSize(1);
        assertThat(e.details()).anyMatch(d -> d.startsWith("Instance 1 of thux/local/resolver (10.0.0.2:8080) was pruned"));
    }
}
