package io.promfetcher.routes;

import java.util.List;
import java.util.Map;

/**
 * One decoded {@code router.register} / {@code router.unregister} message, in gorouter's schema.
 * Every field is optional on the wire: absent strings are {@code ""}, absent numbers {@code 0},
 * absent lists and maps empty. Only {@link RegistrationDecoder} builds these from bytes.
 */
public record Registration(
        String host,
        int port,
        int tlsPort,
        List<String> uris,
        String app,
        String privateInstanceId,
        String privateInstanceIndex,
        String serverCertDomainSan,
        String protocol,
        String routeServiceUrl,
        String isolationSegment,
        String availabilityZone,
        int staleThresholdInSeconds,
        long endpointUpdatedAtNs,
        Map<String, String> tags) {

    public Registration {
        uris = List.copyOf(uris);
        tags = tags instanceof Tags ? tags : Map.copyOf(tags); // Tags is already immutable
    }

    /** The app GUID: the {@code app} field, else route-emitter's {@code app_id} tag; "" for BOSH components. */
    public String appGuid() {
        return !app.isEmpty() ? app : tag("app_id");
    }

    /** The instance GUID: {@code private_instance_id}, else the {@code process_instance_id} tag. */
    public String instanceGuid() {
        return !privateInstanceId.isEmpty() ? privateInstanceId : tag("process_instance_id");
    }

    /** The instance index as announced (a string): {@code private_instance_index}, else the {@code instance_id} tag. */
    public String instanceIndex() {
        return !privateInstanceIndex.isEmpty() ? privateInstanceIndex : tag("instance_id");
    }

    /** A tag's value, "" when absent. */
    public String tag(String name) {
        String value = tags.get(name);
        return value == null ? "" : value;
    }

    /** The port scrapes use: the TLS port when set (the endpoint is then HTTPS), else the plain port. */
    public int scrapePort() {
        return tlsPort != 0 ? tlsPort : port;
    }
}
