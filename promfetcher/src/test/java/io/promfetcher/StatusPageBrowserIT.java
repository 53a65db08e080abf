package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.promfetcher.testkit.Chromium;
import io.promfetcher.testkit.NatsServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The status page and the explanations in a real headless Chromium, as an operator uses them:
 * protected like /routes, every announced app with its instance count, a failing instance's reason,
 * one click to why it fails, the nearest app for a misspelt name, the filter, live updates, a
 * phone's width and colour contrast. Screenshots of each page go to target/screenshots/.
 */
class StatusPageBrowserIT {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("operator:s3cret".getBytes(StandardCharsets.UTF_8));

    static NatsServer nats;
    static Connection publisher;
    static InProcessGateway gateway;
    static MockWebServer healthy0;
    static MockWebServer healthy1;
    static MockWebServer failing;
    static Chromium browser;

    @BeforeAll
    static void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        publisher = Nats.connect(nats.url());
        gateway = InProcessGateway.start(nats.url(), Map.of("PROMFETCHER_ROUTES_REGISTER_INTERVAL", "300ms",
                "PROMFETCHER_ROUTES_API_USER", "operator", "PROMFETCHER_ROUTES_API_PASSWORD", "s3cret"));
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.gateway.health().ready());
        healthy0 = serving(new MockResponse.Builder().body("resolver_urls_resolved_total 4\n").build());
        healthy1 = serving(new MockResponse.Builder().body("resolver_urls_resolved_total 7\n").build());
        failing = serving(new MockResponse.Builder().code(500).body("boom").build());
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            AppMetricsIT.announce(publisher, guid("resolver"), "thux", "local", "resolver", "resolver.apps.example.com", 0, healthy0.getPort());
            AppMetricsIT.announce(publisher, guid("resolver"), "thux", "local", "resolver", "resolver.apps.example.com", 1, healthy1.getPort());
            AppMetricsIT.announce(publisher, guid("broken"), "thux", "local", "broken", "broken.apps.example.com", 0, failing.getPort());
            String routes = GatewayProcess.get(gateway.api + "/routes", Map.of("Authorization", AUTH)).body();
            return routes.contains(":" + healthy1.getPort() + "\"") && routes.contains(":" + failing.getPort() + "\"");
        });
        // What Prometheus would do: one scrape of each app, which the page then shows.
        assertThat(GatewayProcess.get(gateway.api + "/v1/apps/thux/local/resolver/metrics", Map.of()).statusCode()).isEqualTo(200);
        assertThat(GatewayProcess.get(gateway.api + "/v1/apps/thux/local/broken/metrics", Map.of()).statusCode()).isEqualTo(502);
        browser = Chromium.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        gateway.close();
        publisher.close();
        nats.close();
        healthy0.close();
        healthy1.close();
        failing.close();
    }

    private static MockWebServer serving(MockResponse response) throws Exception {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return response;
            }
        });
        server.start();
        return server;
    }

    private static String guid(String app) {
        return java.util.UUID.nameUUIDFromBytes(app.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The text of the table row whose header cell is {@code app}, in the first table that has one. */
    private static String row(String app) {
        return browser.eval("(function(){var h=[...document.querySelectorAll('#apps tbody th')].find(function(t){return t.textContent==='"
                + app + "';});return h?h.parentElement.innerText:'';})()").asText();
    }

    @Test
    void theStatusPageAsksForTheSameCredentialsAsRoutes() throws Exception {
        browser.sendHeaders(Map.of());
        assertThat(browser.load(gateway.api + "/")).isEqualTo(401);
        browser.screenshot(SCREENSHOTS.resolve("status-page-401.png"));
        assertThat(browser.load(gateway.api + "/v1/apps/thux/local/resolver/explain")).isEqualTo(401);
        assertThat(GatewayProcess.get(gateway.api + "/", Map.of("Authorization", AUTH)).statusCode()).isEqualTo(200);
    }

    @Test
    void theStatusPageListsTheAnnouncedAppsWithInstanceCountsAndAFailingInstancesReason() throws Exception {
        browser.sendHeaders(Map.of("Authorization", AUTH));
        browser.viewport(1280, 900, false);
        assertThat(browser.load(gateway.api + "/")).isEqualTo(200);
        String text = browser.text();
        assertThat(text).contains("NATS and routes").containsPattern("\\d+ apps, \\d+ instances, \\d+ routes");
        assertThat(row("resolver")).contains("thux").contains("local").contains("\t2\t").contains("HTTP 200").contains("2/2 up");
        assertThat(row("broken")).contains("\t1\t").contains("HTTP 502").contains("index 0: http_500");
        assertThat(browser.eval("document.querySelectorAll('#routes tbody tr[data-space=\"local\"]').length").asInt()).isEqualTo(3);
        browser.screenshot(SCREENSHOTS.resolve("status-page-1280.png"));

        // One click from the failing app to why it fails.
        int status = browser.awaitNavigation(() -> browser.eval("document.querySelector('a[aria-label=\"Explain thux/local/broken\"]').click()"));
        assertThat(status).isEqualTo(200);
        assertThat(browser.text()).contains("all_failing").contains("every instance failed on the last scrape")
                .contains("http_500").contains("server error (HTTP 500)");
        browser.screenshot(SCREENSHOTS.resolve("explain-all-failing.png"));
    }

    @Test
    void anUnknownAppsExplanationNamesTheNearestApp() throws Exception {
        browser.sendHeaders(Map.of("Authorization", AUTH));
        browser.viewport(1280, 900, false);
        assertThat(browser.load(gateway.api + "/v1/apps/thux/local/resolvr/explain")).isEqualTo(200);
        assertThat(browser.text()).contains("unknown").contains("No app named thux/local/resolvr")
                .contains("Did you mean").contains("thux/local/resolver");
        assertThat(browser.eval("document.querySelector('a[href=\"/v1/apps/" + guid("resolver") + "/explain\"]') !== null").asBoolean()).isTrue();
        browser.screenshot(SCREENSHOTS.resolve("explain-unknown.png"));
    }

    @Test
    void theFilterNarrowsTheTablesAsOneTypesAndTheLivePartsUpdateWithoutAReload() throws Exception {
        browser.sendHeaders(Map.of("Authorization", AUTH));
        browser.viewport(1280, 900, false);
        browser.load(gateway.api + "/");
        browser.eval("window.loadedOnce = true");
        browser.eval("(function(){var i=document.getElementById('f-app');i.value='brok';i.dispatchEvent(new Event('input',{bubbles:true}));})()");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(browser.eval("[...document.querySelectorAll('#routes tbody tr')].filter(function(r){return !r.hidden;}).length").asInt()).isEqualTo(1);
            assertThat(browser.eval("location.search").asText()).isEqualTo("?app=brok");
        });

        browser.eval("(function(){var i=document.getElementById('f-app');i.value='';i.dispatchEvent(new Event('input',{bubbles:true}));})()");
        MockWebServer late = serving(new MockResponse.Builder().body("late_metric 1\n").build());
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                AppMetricsIT.announce(publisher, guid("newcomer"), "thux", "later", "newcomer", "newcomer.apps.example.com", 0, late.getPort());
                assertThat(row("newcomer")).contains("not scraped yet");
            });
            assertThat(browser.eval("window.loadedOnce === true").asBoolean()).as("the same page, not a reload").isTrue();
        } finally {
            late.close();
        }
    }

    @Test
    void thePagesFitAPhoneAndKeepTheirStructureAndContrast() throws Exception {
        browser.sendHeaders(Map.of("Authorization", AUTH));
        browser.viewport(390, 844, true);
        browser.load(gateway.api + "/");
        assertThat(browser.eval("document.documentElement.scrollWidth <= window.innerWidth").asBoolean())
                .as("no sideways scrolling of the page: wide tables scroll inside their box").isTrue();
        browser.screenshot(SCREENSHOTS.resolve("status-page-phone.png"));
        assertStructureAndContrast();

        browser.load(gateway.api + "/v1/apps/thux/local/broken/explain");
        assertThat(browser.eval("document.documentElement.scrollWidth <= window.innerWidth").asBoolean()).isTrue();
        browser.screenshot(SCREENSHOTS.resolve("explain-phone.png"));
        assertStructureAndContrast();
        browser.viewport(1280, 900, false);
    }

    /** Landmarks, a language, headers on every table, labelled inputs, and text contrast of at least 4.5:1. */
    private static void assertStructureAndContrast() {
        assertThat(browser.eval("document.documentElement.lang").asText()).isEqualTo("en");
        assertThat(browser.eval("!!document.querySelector('header') && !!document.querySelector('main') && !!document.querySelector('nav')").asBoolean()).isTrue();
        assertThat(browser.eval("[...document.querySelectorAll('table')].every(function(t){return t.querySelector('thead th[scope=col]') && t.caption;})").asBoolean()).isTrue();
        assertThat(browser.eval("[...document.querySelectorAll('input')].every(function(i){return i.labels && i.labels.length>0;})").asBoolean()).isTrue();
        String lowContrast = browser.eval("""
                (function(){
                  function rgb(c){var m=c.match(/[\\d.]+/g).map(Number);return {r:m[0],g:m[1],b:m[2],a:m.length>3?m[3]:1};}
                  function lum(c){return [c.r,c.g,c.b].map(function(v){v/=255;return v<=0.03928?v/12.92:Math.pow((v+0.055)/1.055,2.4);})
                    .reduce(function(s,v,i){return s+v*[0.2126,0.7152,0.0722][i];},0);}
                  function bg(el){for(;el;el=el.parentElement){var c=rgb(getComputedStyle(el).backgroundColor);if(c.a>0)return c;}return {r:255,g:255,b:255,a:1};}
                  var bad=[];
                  document.querySelectorAll('body *').forEach(function(el){
                    var own=[...el.childNodes].some(function(n){return n.nodeType===3&&n.textContent.trim();});
                    if(!own||el.offsetParent===null&&el.tagName!=='BODY')return;
                    var f=lum(rgb(getComputedStyle(el).color)),b=lum(bg(el));
                    var ratio=(Math.max(f,b)+0.05)/(Math.min(f,b)+0.05);
                    if(ratio<4.5)bad.push(el.tagName+' '+el.textContent.trim().slice(0,30)+' '+ratio.toFixed(2));});
                  return bad.join('; ');})()""").asText();
        assertThat(lowContrast).as("text below 4.5:1 contrast").isEmpty();
    }
}
