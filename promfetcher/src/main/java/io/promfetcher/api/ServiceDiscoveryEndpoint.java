package io.promfetcher.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.routes.AppIdentity;
import io.promfetcher.routes.AppView;
import io.promfetcher.routes.RouteTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /v1/sd}: Prometheus HTTP service discovery, one target per app so a single scrape job
 * covers the whole foundation. Each target is the gateway itself as the caller reached it (its
 * Host header), with {@code __metrics_path__} naming the app by GUID (names may hold characters
 * that would need escaping, GUIDs never do) and the app's org, space and app ids and names as
 * labels. {@code ?org=} and {@code ?space=} filter by name. Apps that asked not to be scraped
 * ({@link ScrapePreferences#listed}) are left out, and so are apps the caller may not read
 * ({@link CallerAuthorization#visible}: in {@code auth.mode: cf} the caller's token decides).
 */
public final class ServiceDiscoveryEndpoint implements Endpoint {
    private static final JsonFactory JSON = new JsonFactory();
    private final RouteTable table;
    private final ScrapePreferences preferences;
    private final String fallbackAddress;
    private final CallerAuthorization authorization;

    /** @param fallbackAddress host:port to advertise when a request carries no Host header */
    public ServiceDiscoveryEndpoint(RouteTable table, ScrapePreferences preferences, String fallbackAddress) {
        this(table, preferences, CallerAuthorization.OPEN, fallbackAddress);
    }

    public ServiceDiscoveryEndpoint(RouteTable table, ScrapePreferences preferences, CallerAuthorization authorization,
                                    String fallbackAddress) {
        this.authorization = authorization;
        this.table = table;
        this.preferences = preferences;
        this.fallbackAddress = fallbackAddress;
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        String target = request.header("Host").filter(h -> !h.isBlank()).orElse(fallbackAddress);
        Optional<String> org = request.queryParameter("org");
        Optional<String> space = request.queryParameter("space");
        String pathPrefix = request.path().startsWith("/v2/") ? "/v2/apps/" : "/v1/apps/";
        List<AppView> listed = table.apps().stream()
                .filter(a -> org.map(o -> o.equals(a.identity().organizationName())).orElse(true))
                .filter(a -> space.map(s -> s.equals(a.identity().spaceName())).orElse(true))
                .filter(a -> preferences.listed(a.identity().appId()))
                .toList();
        if (authorization.open()) {
            return CompletableFuture.completedFuture(targets(listed, target, pathPrefix));
        }
        return authorization.visible(request.header("Authorization"), listed.stream().map(a -> a.identity().appId()).toList())
                .thenApply(visible -> visible.decision() != CallerAuthorization.Decision.ALLOWED
                        ? AppAuthorization.refusal(List.of(visible.decision()))
                        : targets(listed.stream().filter(a -> visible.apps().contains(a.identity().appId())).toList(),
                                target, pathPrefix));
    }

    private static Reply targets(List<AppView> apps, String target, String pathPrefix) {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer(256 + apps.size() * 384);
        try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(body))) {
            json.writeStartArray();
            for (AppView app : apps) {
                AppIdentity id = app.identity();
                json.writeStartObject();
                json.writeArrayFieldStart("targets");
                json.writeString(target);
                json.writeEndArray();
                json.writeObjectFieldStart("labels");
                json.writeStringField("__metrics_path__", pathPrefix + id.appId() + "/metrics");
                json.writeStringField("organization_id", id.organizationId());
                json.writeStringField("organization_name", id.organizationName());
                json.writeStringField("space_id", id.spaceId());
                json.writeStringField("space_name", id.spaceName());
                json.writeStringField("app_id", id.appId());
                json.writeStringField("app_name", id.appName());
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException(e);
        }
        return Reply.of(HttpResponseStatus.OK, Reply.JSON, body).withNote("apps=" + apps.size());
    }
}
