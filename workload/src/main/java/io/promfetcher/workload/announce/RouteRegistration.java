package io.promfetcher.workload.announce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code router.register}/{@code router.unregister} message a workload process sends about
 * itself, shaped like route-emitter's for an app instance (gorouter NATS protocol): one URI per
 * message, the CF tags, the instance index as a string. The app, org and space GUIDs are derived
 * from their names, so every instance of a service agrees on them across restarts.
 */
public record RouteRegistration(
        String host, int port, String uri, String org, String space, String app,
        int instanceIndex, String instanceGuid) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An instance with a fresh GUID, as the platform gives each new container. */
    public static RouteRegistration forInstance(String host, int port, String domain, String org, String space,
            String app, int instanceIndex) {
        return new RouteRegistration(host, port, app + "." + domain, org, space, app, instanceIndex,
                UUID.randomUUID().toString());
    }

    public String appGuid() {
        return stableGuid("app/" + org + "/" + space + "/" + app);
    }

    public String orgGuid() {
        return stableGuid("org/" + org);
    }

    public String spaceGuid() {
        return stableGuid("space/" + org + "/" + space);
    }

    /** The JSON payload, UTF-8: the same bytes serve register and unregister. */
    public byte[] toJson() {
        String appGuid = appGuid();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("component", "route-emitter");
        tags.put("source_id", appGuid);
        tags.put("app_id", appGuid);
        tags.put("app_name", app);
        tags.put("organization_id", orgGuid());
        tags.put("organization_name", org);
        tags.put("space_id", spaceGuid());
        tags.put("space_name", space);
        tags.put("process_id", appGuid);
        tags.put("process_type", "web");
        tags.put("process_instance_id", instanceGuid);
        tags.put("instance_id", Integer.toString(instanceIndex));

        Map<String, Object> message = new LinkedHashMap<>();
        message.put("host", host);
        message.put("port", port);
        message.put("protocol", "http1");
        message.put("uris", List.of(uri));
        message.put("app", appGuid);
        message.put("private_instance_id", instanceGuid);
        message.put("private_instance_index", Integer.toString(instanceIndex));
        message.put("tags", tags);
        try {
            return JSON.writeValueAsString(message).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    private static String stableGuid(String name) {
        return UUID.nameUUIDFromBytes(("thux/" + name).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
