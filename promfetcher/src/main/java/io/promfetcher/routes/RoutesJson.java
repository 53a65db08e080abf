package io.promfetcher.routes;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Writes a {@link RouteSnapshot} as the JSON body of {@code GET /routes}. A pure function of the
 * snapshot: the same table gives the same bytes. Shape:
 * <pre>{@code
 * {"warming_up":false,
 *  "apps":[{"organization_id":…,"organization_name":…,"space_id":…,"space_name":…,"app_id":…,"app_name":…,
 *           "instances":[{"index":"0","instance_id":"<guid>","address":"10.0.1.12:61014","host":"10.0.1.12",
 *                         "port":61012,"tls_port":61014,"tls":true,"server_cert_domain_san":"<guid>",
 *                         "protocol":"http1","availability_zone":"z1","uris":["my-app.example.com"],
 *                         "seconds_since_refresh":3.2,"stale_threshold_seconds":120}]}],
 *  "components":[{"component":"uaa","host":…,"port":…,"tls_port":…,"uris":[…],"seconds_since_refresh":…}]}
 * }</pre>
 */
public final class RoutesJson {
    /** The {@code Content-Type} of the body. */
    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private static final JsonFactory JSON = new JsonFactory();

    private RoutesJson() {}

    /** Writes the snapshot to {@code out} (not closed). */
    public static void write(RouteSnapshot snapshot, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            g.writeBooleanField("warming_up", snapshot.warmingUp());
            g.writeArrayFieldStart("apps");
            for (AppView app : snapshot.apps()) {
                g.writeStartObject();
                identity(g, app.identity());
                g.writeArrayFieldStart("instances");
                for (Instance instance : app.instances()) {
                    g.writeStartObject();
                    g.writeStringField("index", instance.index());
                    g.writeStringField("instance_id", instance.instanceId());
                    g.writeStringField("address", instance.address());
                    g.writeStringField("host", instance.host());
                    g.writeNumberField("port", instance.port());
                    g.writeNumberField("tls_port", instance.tlsPort());
                    g.writeBooleanField("tls", instance.tls());
                    g.writeStringField("server_cert_domain_san", instance.serverCertDomainSan());
                    g.writeStringField("protocol", instance.protocol());
                    g.writeStringField("availability_zone", instance.availabilityZone());
                    uris(g, instance.uris());
                    g.writeNumberField("seconds_since_refresh", seconds(instance.sinceRefresh()));
                    g.writeNumberField("stale_threshold_seconds", seconds(instance.staleThreshold()));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("components");
            for (ComponentView c : snapshot.components()) {
                g.writeStartObject();
                g.writeStringField("component", c.component());
                g.writeStringField("host", c.host());
                g.writeNumberField("port", c.port());
                g.writeNumberField("tls_port", c.tlsPort());
                uris(g, c.uris());
                g.writeNumberField("seconds_since_refresh", seconds(c.sinceRefresh()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    /** An app's org, space and app ids and names as fields of the object being written: the one spelling of them in JSON. */
    public static void identity(JsonGenerator g, AppIdentity id) throws IOException {
        g.writeStringField("organization_id", id.organizationId());
        g.writeStringField("organization_name", id.organizationName());
        g.writeStringField("space_id", id.spaceId());
        g.writeStringField("space_name", id.spaceName());
        g.writeStringField("app_id", id.appId());
        g.writeStringField("app_name", id.appName());
    }

    private static void uris(JsonGenerator g, java.util.List<String> uris) throws IOException {
        g.writeArrayFieldStart("uris");
        for (String uri : uris) {
            g.writeString(uri);
        }
        g.writeEndArray();
    }

    /** Seconds with millisecond precision, so the output stays short and stable. */
    private static double seconds(Duration d) {
        return Math.round(d.toNanos() / 1_000_000.0) / 1000.0;
    }
}
