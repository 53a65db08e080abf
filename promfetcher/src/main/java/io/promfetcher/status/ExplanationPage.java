package io.promfetcher.status;

import static io.promfetcher.status.Html.badge;
import static io.promfetcher.status.Html.esc;

import io.promfetcher.routes.AppIdentity;
import io.promfetcher.routes.Instance;
import io.promfetcher.routes.InternalRoutes;
import io.promfetcher.routes.RecentlyRemoved;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** An {@link Explanation} as a page: the verdict first, then what it rests on, with links onward. */
final class ExplanationPage {
    private ExplanationPage() {}

    /**
     * @param self this explanation's path and query, ready for one more parameter to be appended
     *             ({@code /v1/apps/o/s/a/explain?} or {@code /v1/apps/explain?app=o%2Fs%2Fa&})
     */
    static String render(Explanation e, String self, String version, Clock clock) {
        StringBuilder main = new StringBuilder(4096);
        main.append("<section aria-labelledby=\"verdict\"><h2 id=\"verdict\">Verdict: ")
                .append(codeBadge(e.code())).append("</h2>")
                .append("<p class=\"summary\">").append(esc(e.summary())).append("</p>");
        if (!e.details().isEmpty()) {
            main.append("<ul>");
            for (String d : e.details()) {
                main.append("<li>").append(esc(d)).append("</li>");
            }
            main.append("</ul>");
        }
        if (e.scrape().isPresent()) {
            Explanation.ScrapeAttempt s = e.scrape().get();
            main.append("<p>Scraped just now for this explanation: HTTP ").append(s.status())
                    .append(s.message().isEmpty() ? "" : " — " + esc(s.message())).append("</p>");
        }
        if (e.code().resolved()) {
            main.append("<p><a href=\"").append(esc(self)).append("scrape=true\">Scrape it now and explain again</a>")
                    .append(" <span class=\"muted\">(contacts every instance once, without the caller's credentials)</span></p>");
        }
        main.append("</section>");
        for (Explanation.ExplainedApp app : e.apps()) {
            main.append(app(app, clock));
        }
        if (!e.removed().isEmpty()) {
            main.append("<section aria-labelledby=\"removed\"><h2 id=\"removed\">Recently removed</h2>");
            for (RecentlyRemoved.RemovedApp app : e.removed()) {
                main.append("<h3>").append(esc(Explainer.name(app.app()))).append("</h3>").append(removedTable(app.instances()));
            }
            main.append("</section>");
        }
        if (!e.internal().isEmpty()) {
            main.append("<section aria-labelledby=\"internal\"><h2 id=\"internal\">Apps on internal routes only</h2>")
                    .append("<div class=\"table\"><table><caption>Announced on service-discovery.register</caption><thead><tr>")
                    .append("<th scope=\"col\">App GUID</th><th scope=\"col\">Internal hostnames</th>")
                    .append("<th scope=\"col\" class=\"num\">Instances</th><th scope=\"col\">Announced</th></tr></thead><tbody>");
            for (InternalRoutes.InternalApp app : e.internal()) {
                main.append("<tr><th scope=\"row\" class=\"mono\">").append(esc(app.appGuid())).append("</th><td class=\"mono\">")
                        .append(esc(String.join(", ", app.hostnames()))).append("</td><td class=\"num\">").append(app.instances())
                        .append("</td><td>").append(esc(Ages.ago(app.sinceRefresh()))).append("</td></tr>");
            }
            main.append("</tbody></table></div></section>");
        }
        if (!e.suggestions().isEmpty()) {
            main.append("<section aria-labelledby=\"nearest\"><h2 id=\"nearest\">Did you mean</h2><ul>");
            for (Explanation.Suggestion s : e.suggestions()) {
                main.append("<li><a href=\"/v1/apps/").append(esc(s.app().appId())).append("/explain\">")
                        .append(esc(Explainer.name(s.app()))).append("</a> — ").append(esc(s.why())).append("</li>");
            }
            main.append("</ul></section>");
        }
        String nav = "<nav aria-label=\"Pages\"><ul><li><a href=\"/\">Status page</a></li><li><a href=\""
                + esc(self) + "format=json\">This explanation as JSON</a></li></ul></nav>";
        return Html.page("Why: " + e.request(), "promfetcher " + esc(version) + " · explanation at "
                + esc(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()), nav, main.toString(), "");
    }

    private static String app(Explanation.ExplainedApp app, Clock clock) {
        AppIdentity id = app.app().identity();
        String heading = "app-" + esc(id.appId());
        StringBuilder s = new StringBuilder(2048);
        s.append("<section aria-labelledby=\"").append(heading).append("\"><h2 id=\"").append(heading).append("\">")
                .append(esc(Explainer.name(id))).append("</h2>")
                .append("<dl class=\"facts\"><dt>App GUID</dt><dd class=\"mono\">").append(esc(id.appId())).append("</dd>")
                .append("<dt>Merged metrics</dt><dd><a href=\"/v1/apps/").append(esc(id.appId())).append("/metrics\">/v1/apps/")
                .append(esc(id.appId())).append("/metrics</a></dd>")
                .append("<dt>In /v1/sd</dt><dd>").append(app.listed() ? "yes" : "no — " + esc(app.listedSource())).append("</dd></dl>");
        s.append("<div class=\"table\"><table><caption>Instances in the route table</caption><thead><tr>")
                .append("<th scope=\"col\">Index</th><th scope=\"col\">Address</th><th scope=\"col\">TLS</th>")
                .append("<th scope=\"col\">Routes</th><th scope=\"col\">Announced</th><th scope=\"col\">Pruned after</th></tr></thead><tbody>");
        for (Instance i : app.app().instances()) {
            s.append("<tr><th scope=\"row\">").append(esc(i.index())).append("</th><td class=\"mono\">").append(esc(i.address()))
                    .append("</td><td>").append(i.tls() ? "yes" : "no").append("</td><td class=\"mono\">")
                    .append(esc(String.join(", ", i.uris()))).append("</td><td>").append(esc(Ages.ago(i.sinceRefresh())))
                    .append("</td><td>").append(esc(Ages.of(i.staleThreshold()))).append(" silent</td></tr>");
        }
        s.append("</tbody></table></div>");
        if (app.lastScrape().isPresent()) {
            LastScrapes.LastScrape last = app.lastScrape().get();
            s.append("<h3>Last scrape</h3><p>").append(esc(Ages.ago(Duration.between(last.at(), clock.instant()))))
                    .append(" (").append(esc(last.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())).append("), HTTP ").append(last.status())
                    .append(", slowest instance ").append(millis(last.duration())).append("</p>")
                    .append(scrapeTable(last));
        } else {
            s.append("<p>Not scraped through this gateway since it started.</p>");
        }
        if (!app.removed().isEmpty()) {
            s.append("<h3>Instances that left recently</h3>").append(removedTable(app.removed()));
        }
        return s.append("</section>").toString();
    }

    static String scrapeTable(LastScrapes.LastScrape last) {
        StringBuilder s = new StringBuilder(1024);
        s.append("<div class=\"table\"><table><caption>Each instance in the last scrape</caption><thead><tr>")
                .append("<th scope=\"col\">Index</th><th scope=\"col\">Instance</th><th scope=\"col\">Outcome</th>")
                .append("<th scope=\"col\">What it means</th><th scope=\"col\" class=\"num\">Samples</th>")
                .append("<th scope=\"col\" class=\"num\">Time</th></tr></thead><tbody>");
        for (LastScrapes.InstanceResult i : last.instances()) {
            s.append("<tr><th scope=\"row\">").append(esc(i.index())).append("</th><td class=\"mono\">").append(esc(i.instance()))
                    .append("</td><td>").append(outcome(i)).append("</td><td>")
                    .append(esc(i.reason().map(ReasonWords::of).orElse("")))
                    .append(i.detail().map(d -> " <span class=\"mono\">(" + esc(d) + ")</span>").orElse(""))
                    .append("</td><td class=\"num\">").append(i.samples()).append("</td><td class=\"num\">")
                    .append(millis(i.duration())).append("</td></tr>");
        }
        return s.append("</tbody></table></div>").toString();
    }

    private static String removedTable(List<RecentlyRemoved.RemovedInstance> removed) {
        StringBuilder s = new StringBuilder(512);
        s.append("<div class=\"table\"><table><caption>Instances removed from the route table</caption><thead><tr>")
                .append("<th scope=\"col\">Index</th><th scope=\"col\">Address</th><th scope=\"col\">Why</th>")
                .append("<th scope=\"col\">Removed</th><th scope=\"col\">Last announced</th></tr></thead><tbody>");
        for (RecentlyRemoved.RemovedInstance r : removed) {
            s.append("<tr><th scope=\"row\">").append(esc(r.instance().index())).append("</th><td class=\"mono\">")
                    .append(esc(r.instance().address())).append("</td><td>").append(esc(r.cause().label()))
                    .append("</td><td>").append(esc(r.removedAt().toString())).append("</td><td>")
                    .append(esc(r.lastSeen().toString())).append("</td></tr>");
        }
        return s.append("</tbody></table></div>").toString();
    }

    /** "up", "up, conflict" or the failure reason, as a badge. */
    static String outcome(LastScrapes.InstanceResult i) {
        if (i.up()) {
            return i.reason().isPresent() ? badge("warn", "up, " + i.reason().get().label()) : badge("ok", "up");
        }
        return badge("bad", i.reason().map(r -> r.label()).orElse("failed"));
    }

    static String codeBadge(Explanation.Code code) {
        String css = switch (code) {
            case OK -> "ok";
            case PARTLY_FAILING, NOT_SCRAPED, EXCLUDED_FROM_DISCOVERY, WARMING_UP -> "warn";
            default -> "bad";
        };
        return badge(css, code.label());
    }

    static String millis(Duration d) {
        return d.toMillis() + " ms";
    }
}
