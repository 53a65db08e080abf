package io.promfetcher.status;

import static io.promfetcher.status.Html.badge;
import static io.promfetcher.status.Html.esc;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.api.Endpoint;
import io.promfetcher.api.Health;
import io.promfetcher.api.Reply;
import io.promfetcher.api.Request;
import io.promfetcher.routes.AppIdentity;
import io.promfetcher.routes.AppView;
import io.promfetcher.routes.ComponentView;
import io.promfetcher.routes.Instance;
import io.promfetcher.routes.RouteSnapshot;
import io.promfetcher.routes.RouteTable;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /}: what an operator looks at first. The gateway's health and NATS state, the route
 * table's size, every app by org and space with its instance count, last scrape and links to its
 * merged metrics and to its explanation, and the route table itself, filterable by org, space and
 * app ({@code ?org=&space=&app=}, case-insensitive parts of the names; the filter also works as
 * you type). One renderer, on the server: a small script refreshes the live parts every 5 s by
 * fetching the page again, and the page works without it.
 *
 * <p>Large foundations: at most {@link #MAX_APP_ROWS} apps and {@link #MAX_INSTANCE_ROWS}
 * instances are shown, with how many the filter would show in all.
 */
public final class StatusPage implements Endpoint {
    static final int MAX_APP_ROWS = 500;
    static final int MAX_INSTANCE_ROWS = 2_000;

    private final RouteTable table;
    private final Health health;
    private final LastScrapes scrapes;
    private final String version;
    private final Clock clock;

    public StatusPage(RouteTable table, Health health, LastScrapes scrapes, String version, Clock clock) {
        this.table = table;
        this.health = health;
        this.scrapes = scrapes;
        this.version = version;
        this.clock = clock;
    }

    /** A case-insensitive "contains" filter on org, space and app names; empty parts match everything. */
    record Filter(String org, String space, String app) {
        static Filter of(Request request) {
            return new Filter(part(request, "org"), part(request, "space"), part(request, "app"));
        }

        private static String part(Request request, String name) {
            return request.queryParameter(name).map(v -> v.strip().toLowerCase(Locale.ROOT)).orElse("");
        }

        boolean matches(AppIdentity id) {
            return id.organizationName().toLowerCase(Locale.ROOT).contains(org)
                    && id.spaceName().toLowerCase(Locale.ROOT).contains(space)
                    && id.appName().toLowerCase(Locale.ROOT).contains(app);
        }

        boolean any() {
            return !(org.isEmpty() && space.isEmpty() && app.isEmpty());
        }
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        return CompletableFuture.completedFuture(Html.reply(HttpResponseStatus.OK, render(Filter.of(request))));
    }

    String render(Filter filter) {
        RouteSnapshot snapshot = table.snapshot();
        List<AppView> apps = snapshot.apps().stream().filter(a -> filter.matches(a.identity())).toList();
        String nav = "<nav aria-label=\"Sections\"><ul><li><a href=\"#gateway\">Gateway</a></li><li><a href=\"#apps\">Apps</a></li>"
                + "<li><a href=\"#routes\">Route table</a></li>"
                + (snapshot.components().isEmpty() ? "" : "<li><a href=\"#components\">BOSH components</a></li>")
                + "</ul></nav>";
        String main = gateway(snapshot) + apps(apps, snapshot.apps().size(), filter) + routes(apps)
                + components(snapshot.components());
        return Html.page("promfetcher status", "Gateway " + esc(version) + " · one endpoint per Cloud Foundry app, every instance merged",
                nav, main, SCRIPT);
    }

    private String gateway(RouteSnapshot snapshot) {
        StringBuilder s = new StringBuilder(1024);
        s.append("<section id=\"gateway\" aria-labelledby=\"h-gateway\"><h2 id=\"h-gateway\">Gateway</h2><div data-live=\"gateway\">")
                .append("<dl class=\"facts\"><dt>Health</dt><dd>")
                .append(health.healthy() ? badge("ok", "serving") : badge("bad", "draining (shutting down)"))
                .append("</dd><dt>Ready</dt><dd>").append(health.ready() ? badge("ok", "ready") : badge("warn", "not ready")).append("</dd>");
        for (Map.Entry<String, Health.Check> check : health.checks().entrySet()) {
            s.append("<dt>").append(esc(check.getKey().equals("routes") ? "NATS and routes" : check.getKey())).append("</dt><dd>")
                    .append(check.getValue().ready() ? badge("ok", "ready") : badge("warn", "not ready")).append(' ')
                    .append(esc(check.getValue().detail())).append("</dd>");
        }
        String lastAnnouncement = table.lastAnnouncementNanos().stream()
                .mapToObj(n -> Ages.ago(Duration.ofNanos(Math.max(0, System.nanoTime() - n)))).findFirst().orElse("none yet");
        s.append("<dt>Route table</dt><dd>").append(table.appCount()).append(" apps, ").append(table.instanceCount())
                .append(" instances, ").append(table.routeCount()).append(" routes, ").append(table.componentCount())
                .append(" BOSH component endpoints").append(snapshot.warmingUp() ? " " + badge("warn", "warming up") : "")
                .append("</dd><dt>Last announcement</dt><dd>").append(esc(lastAnnouncement)).append("</dd>")
                .append("<dt>As of</dt><dd><time>").append(esc(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()))
                .append("</time></dd></dl></div></section>");
        return s.toString();
    }

    private String apps(List<AppView> apps, int total, Filter filter) {
        StringBuilder s = new StringBuilder(8192);
        s.append("<section id=\"apps\" aria-labelledby=\"h-apps\"><h2 id=\"h-apps\">Apps</h2>")
                .append("<form class=\"filter\" id=\"filter\" method=\"get\" action=\"/\" role=\"search\" aria-label=\"Filter apps and routes\">")
                .append(input("org", "Org", filter.org())).append(input("space", "Space", filter.space()))
                .append(input("app", "App", filter.app()))
                .append("<button type=\"submit\">Filter</button>")
                .append(filter.any() ? "<a href=\"/\">Show all</a>" : "")
                .append("<label class=\"live\"><input type=\"checkbox\" id=\"live\" checked> Update every 5 s</label>")
                .append("</form><div data-live=\"apps\">");
        if (apps.isEmpty()) {
            s.append("<p>").append(total == 0 ? "No app is announced yet." : "No app matches the filter.").append("</p>");
        } else {
            s.append("<div class=\"table\"><table class=\"cards\"><caption>").append(shown(Math.min(apps.size(), MAX_APP_ROWS), apps.size(), "apps"))
                    .append(", by org and space</caption><thead><tr><th scope=\"col\">Org</th><th scope=\"col\">Space</th>")
                    .append("<th scope=\"col\">App</th><th scope=\"col\" class=\"num\">Instances</th><th scope=\"col\">Last scrape</th>")
                    .append("<th scope=\"col\">Failing instances</th><th scope=\"col\">Look closer</th></tr></thead><tbody>");
            for (AppView app : apps.subList(0, Math.min(apps.size(), MAX_APP_ROWS))) {
                AppIdentity id = app.identity();
                Optional<LastScrapes.LastScrape> last = scrapes.of(id.appId());
                s.append("<tr").append(rowData(id)).append("><td data-label=\"Org\">").append(esc(id.organizationName()))
                        .append("</td><td data-label=\"Space\">").append(esc(id.spaceName())).append("</td><th scope=\"row\">")
                        .append(esc(id.appName().isEmpty() ? id.appId() : id.appName()))
                        .append("</th><td class=\"num\" data-label=\"Instances\">").append(app.instances().size())
                        .append("</td><td data-label=\"Last scrape\">")
                        .append(last.map(this::lastScrape).orElse("<span class=\"muted\">not scraped yet</span>")).append("</td><td")
                        .append(last.map(l -> l.instances().stream().anyMatch(i -> i.reason().isPresent())).orElse(false) ? " data-label=\"Failing\">" : ">")
                        .append(last.map(StatusPage::failing).orElse("")).append("</td><td>")
                        .append("<a href=\"/v1/apps/").append(esc(id.appId())).append("/metrics\" aria-label=\"Merged metrics of ")
                        .append(esc(Explainer.name(id))).append("\">metrics</a> · <a href=\"/v1/apps/").append(esc(id.appId()))
                        .append("/explain\" aria-label=\"Explain ").append(esc(Explainer.name(id))).append("\">explain</a></td></tr>");
            }
            s.append("</tbody></table></div>");
        }
        return s.append("</div></section>").toString();
    }

    private String lastScrape(LastScrapes.LastScrape last) {
        String status = last.status() == 200 ? badge(last.up() == last.instances().size() ? "ok" : "warn", "HTTP 200")
                : badge("bad", "HTTP " + last.status());
        return status + " " + last.up() + "/" + last.instances().size() + " up · "
                + esc(Ages.ago(Duration.between(last.at(), clock.instant()))) + " · " + ExplanationPage.millis(last.duration());
    }

    private static String failing(LastScrapes.LastScrape last) {
        StringBuilder s = new StringBuilder();
        for (LastScrapes.InstanceResult i : last.instances()) {
            if (i.reason().isPresent()) {
                s.append(s.length() == 0 ? "" : "<br>").append("index ").append(esc(i.index())).append(": ")
                        .append(ExplanationPage.outcome(i));
            }
        }
        return s.toString();
    }

    private String routes(List<AppView> apps) {
        int instances = apps.stream().mapToInt(a -> a.instances().size()).sum();
        StringBuilder s = new StringBuilder(16384);
        s.append("<section id=\"routes\" aria-labelledby=\"h-routes\"><h2 id=\"h-routes\">Route table</h2><div data-live=\"routes\">");
        if (instances == 0) {
            return s.append("<p>No instance to show.</p></div></section>").toString();
        }
        s.append("<div class=\"table\"><table><caption>").append(shown(Math.min(instances, MAX_INSTANCE_ROWS), instances, "instances"))
                .append(" (as JSON: <a href=\"/routes\">/routes</a>)</caption><thead><tr><th scope=\"col\">Org</th><th scope=\"col\">Space</th>")
                .append("<th scope=\"col\">App</th><th scope=\"col\">Index</th><th scope=\"col\">Address</th><th scope=\"col\">TLS</th>")
                .append("<th scope=\"col\">Routes</th><th scope=\"col\">Announced</th><th scope=\"col\">Last scrape</th></tr></thead><tbody>");
        int rows = 0;
        for (AppView app : apps) {
            AppIdentity id = app.identity();
            Optional<LastScrapes.LastScrape> last = scrapes.of(id.appId());
            for (Instance i : app.instances()) {
                if (rows++ == MAX_INSTANCE_ROWS) {
                    return s.append("</tbody></table></div></div></section>").toString();
                }
                String outcome = last.flatMap(l -> l.instances().stream().filter(r -> r.instance().equals(i.address())).findFirst())
                        .map(ExplanationPage::outcome).orElse("<span class=\"muted\">—</span>");
                s.append("<tr").append(rowData(id)).append("><td>").append(esc(id.organizationName())).append("</td><td>")
                        .append(esc(id.spaceName())).append("</td><th scope=\"row\">").append(esc(id.appName())).append("</th><td>")
                        .append(esc(i.index())).append("</td><td class=\"mono\">").append(esc(i.address())).append("</td><td>")
                        .append(i.tls() ? "yes" : "no").append("</td><td class=\"mono\">").append(esc(String.join(", ", i.uris())))
                        .append("</td><td>").append(esc(Ages.ago(i.sinceRefresh()))).append("</td><td>").append(outcome).append("</td></tr>");
            }
        }
        return s.append("</tbody></table></div></div></section>").toString();
    }

    private static String components(List<ComponentView> components) {
        if (components.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder(2048);
        s.append("<section id=\"components\" aria-labelledby=\"h-components\"><h2 id=\"h-components\">BOSH components</h2>")
                .append("<p>Routes registered by platform jobs: kept in the table, never scraped through app endpoints.</p>")
                .append("<div class=\"table\"><table><caption>").append(components.size())
                .append(" component endpoints</caption><thead><tr><th scope=\"col\">Component</th><th scope=\"col\">Address</th>")
                .append("<th scope=\"col\">Routes</th><th scope=\"col\">Announced</th></tr></thead><tbody>");
        for (ComponentView c : components.subList(0, Math.min(components.size(), MAX_APP_ROWS))) {
            s.append("<tr><th scope=\"row\">").append(esc(c.component().isEmpty() ? "(unnamed)" : c.component()))
                    .append("</th><td class=\"mono\">").append(esc(c.host() + ":" + (c.tlsPort() > 0 ? c.tlsPort() : c.port())))
                    .append("</td><td class=\"mono\">").append(esc(String.join(", ", c.uris()))).append("</td><td>")
                    .append(esc(Ages.ago(c.sinceRefresh()))).append("</td></tr>");
        }
        return s.append("</tbody></table></div></section>").toString();
    }

    private static String input(String name, String label, String value) {
        return "<label for=\"f-" + name + "\">" + label + "<input id=\"f-" + name + "\" name=\"" + name + "\" value=\""
                + esc(value) + "\" autocomplete=\"off\" spellcheck=\"false\"></label>";
    }

    private static String rowData(AppIdentity id) {
        return " data-org=\"" + esc(id.organizationName().toLowerCase(Locale.ROOT)) + "\" data-space=\""
                + esc(id.spaceName().toLowerCase(Locale.ROOT)) + "\" data-app=\"" + esc(id.appName().toLowerCase(Locale.ROOT)) + "\"";
    }

    private static String shown(int shown, int total, String what) {
        return shown == total ? total + " " + what : shown + " of " + total + " " + what + " shown: filter to narrow";
    }

    /**
     * Filters rows as the operator types (and keeps the address bar in step, so a reload or a
     * shared link shows the same), and refreshes the live parts every 5 s while the page is
     * visible and "Update" is ticked. Failures are shown, not thrown.
     */
    private static final String SCRIPT = """
            (function(){
              var form=document.getElementById('filter'),fields=['org','space','app'],timer;
              function value(f){return form.elements[f].value.trim().toLowerCase();}
              function apply(){document.querySelectorAll('tr[data-org]').forEach(function(r){
                r.hidden=!fields.every(function(f){var v=value(f);return !v||r.dataset[f].indexOf(v)>=0;});});}
              function query(){var q=new URLSearchParams();fields.forEach(function(f){var v=form.elements[f].value.trim();if(v)q.set(f,v);});
                var s=q.toString();return s?'?'+s:location.pathname;}
              form.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(function(){history.replaceState(null,'',query());apply();},150);});
              form.addEventListener('submit',function(e){e.preventDefault();history.replaceState(null,'',query());refresh();});
              function note(text){var t=document.querySelector('[data-live="gateway"] time');if(t)t.textContent=text;}
              function refresh(){
                if(document.hidden||!document.getElementById('live').checked)return;
                fetch(location.pathname+location.search,{headers:{Accept:'text/html'},credentials:'same-origin',cache:'no-store'})
                  .then(function(r){if(!r.ok)throw new Error('HTTP '+r.status);return r.text();})
                  .then(function(html){var doc=new DOMParser().parseFromString(html,'text/html');
                    document.querySelectorAll('[data-live]').forEach(function(el){
                      var fresh=doc.querySelector('[data-live="'+el.dataset.live+'"]');if(fresh)el.replaceWith(document.importNode(fresh,true));});
                    apply();})
                  .catch(function(e){note('update failed ('+e.message+'); retrying');});}
              setInterval(refresh,5000);
              document.addEventListener('visibilitychange',refresh);
              apply();
            })();
            """;
}
