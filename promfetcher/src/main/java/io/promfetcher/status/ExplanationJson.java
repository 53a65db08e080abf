package io.promfetcher.status;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.promfetcher.routes.AppIdentity;
import io.promfetcher.routes.Instance;
import io.promfetcher.routes.InternalRoutes;
import io.promfetcher.routes.RecentlyRemoved;
import io.promfetcher.routes.RoutesJson;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * An {@link Explanation} as JSON, for scripts and for people with curl. Shape:
 * <pre>{@code
 * {"request":"org/space/app","code":"all_failing","resolved":true,"summary":"…","details":["…"],
 *  "apps":[{"organization_name":…,…,"app_id":…,"metrics":"/v1/apps/<guid>/metrics","explain":"/v1/apps/<guid>/explain",
 *           "listed":true,"listed_source":"",
 *           "instances":[{"index":"0","instance_id":…,"address":"10.0.1.12:61014","tls":true,"uris":[…],
 *                         "seconds_since_announcement":3.2,"stale_threshold_seconds":120.0}],
 *           "last_scrape":{"at":"2026-12-01T10:02:03Z","status":502,"duration_seconds":0.8,
 *                          "instances":[{"index":"0","instance":"10.0.1.12:61014","up":false,"reason":"connect",
 *                                        "meaning":"…","detail":"","samples":0,"duration_seconds":0.01}]},
 *           "removed":[{"index":"2","address":…,"cause":"pruned","removed_at":…,"last_seen":…}]}],
 *  "suggestions":[{"name":"org/space/app","app_id":…,"why":"the same app in another space","explain":…}],
 *  "internal_routes":[{"app_id":…,"hostnames":["app.apps.internal"],"instances":2,"seconds_since_announcement":4.0}],
 *  "removed":[{"name":…,"app_id":…,"instances":[…as in apps[].removed…]}],
 *  "scrape":{"status":200,"message":""}}
 * }</pre>
 * {@code last_scrape} and {@code scrape} are {@code null} when there is none.
 */
final class ExplanationJson {
    private static final JsonFactory JSON = new JsonFactory();

    private ExplanationJson() {}

    static void write(Explanation e, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            g.writeStringField("request", e.request());
            g.writeStringField("code", e.code().label());
            g.writeBooleanField("resolved", e.code().resolved());
            g.writeStringField("summary", e.summary());
            g.writeArrayFieldStart("details");
            for (String d : e.details()) {
                g.writeString(d);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("apps");
            for (Explanation.ExplainedApp app : e.apps()) {
                g.writeStartObject();
                identity(g, app.app().identity());
                g.writeBooleanField("listed", app.listed());
                g.writeStringField("listed_source", app.listedSource());
                g.writeArrayFieldStart("instances");
                for (Instance i : app.app().instances()) {
                    g.writeStartObject();
                    g.writeStringField("index", i.index());
                    g.writeStringField("instance_id", i.instanceId());
                    g.writeStringField("address", i.address());
                    g.writeBooleanField("tls", i.tls());
                    g.writeArrayFieldStart("uris");
                    for (String uri : i.uris()) {
                        g.writeString(uri);
                    }
                    g.writeEndArray();
                    g.writeNumberField("seconds_since_announcement", seconds(i.sinceRefresh()));
                    g.writeNumberField("stale_threshold_seconds", seconds(i.staleThreshold()));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeFieldName("last_scrape");
                if (app.lastScrape().isEmpty()) {
                    g.writeNull();
                } else {
                    lastScrape(g, app.lastScrape().get());
                }
                g.writeArrayFieldStart("removed");
                for (RecentlyRemoved.RemovedInstance r : app.removed()) {
                    removed(g, r);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("suggestions");
            for (Explanation.Suggestion s : e.suggestions()) {
                g.writeStartObject();
                g.writeStringField("name", Explainer.name(s.app()));
                g.writeStringField("app_id", s.app().appId());
                g.writeStringField("why", s.why());
                g.writeStringField("explain", "/v1/apps/" + s.app().appId() + "/explain");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("internal_routes");
            for (InternalRoutes.InternalApp app : e.internal()) {
                g.writeStartObject();
                g.writeStringField("app_id", app.appGuid());
                g.writeArrayFieldStart("hostnames");
                for (String h : app.hostnames()) {
                    g.writeString(h);
                }
                g.writeEndArray();
                g.writeNumberField("instances", app.instances());
                g.writeNumberField("seconds_since_announcement", seconds(app.sinceRefresh()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("removed");
            for (RecentlyRemoved.RemovedApp app : e.removed()) {
                g.writeStartObject();
                g.writeStringField("name", Explainer.name(app.app()));
                g.writeStringField("app_id", app.app().appId());
                g.writeArrayFieldStart("instances");
                for (RecentlyRemoved.RemovedInstance r : app.instances()) {
                    removed(g, r);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("scrape");
            if (e.scrape().isEmpty()) {
                g.writeNull();
            } else {
                g.writeStartObject();
                g.writeNumberField("status", e.scrape().get().status());
                g.writeStringField("message", e.scrape().get().message());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    private static void identity(JsonGenerator g, AppIdentity id) throws IOException {
        RoutesJson.identity(g, id);
        g.writeStringField("metrics", "/v1/apps/" + id.appId() + "/metrics");
        g.writeStringField("explain", "/v1/apps/" + id.appId() + "/explain");
    }

    private static void lastScrape(JsonGenerator g, LastScrapes.LastScrape s) throws IOException {
        g.writeStartObject();
        g.writeStringField("at", s.at().toString());
        g.writeNumberField("status", s.status());
        g.writeNumberField("duration_seconds", seconds(s.duration()));
        g.writeArrayFieldStart("instances");
        for (LastScrapes.InstanceResult i : s.instances()) {
            g.writeStartObject();
            g.writeStringField("index", i.index());
            g.writeStringField("instance", i.instance());
            g.writeBooleanField("up", i.up());
            g.writeStringField("reason", i.reason().map(r -> r.label()).orElse(""));
            g.writeStringField("meaning", i.reason().map(ReasonWords::of).orElse(""));
            g.writeStringField("detail", i.detail().orElse(""));
            g.writeNumberField("samples", i.samples());
            g.writeNumberField("duration_seconds", seconds(i.duration()));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void removed(JsonGenerator g, RecentlyRemoved.RemovedInstance r) throws IOException {
        g.writeStartObject();
        g.writeStringField("index", r.instance().index());
        g.writeStringField("address", r.instance().address());
        g.writeStringField("cause", r.cause().label());
        g.writeStringField("removed_at", r.removedAt().toString());
        g.writeStringField("last_seen", r.lastSeen().toString());
        g.writeEndObject();
    }

    private static double seconds(Duration d) {
        return Math.round(d.toMillis() / 100.0) / 10.0;
    }
}
