package io.promfetcher.routes;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Builds route-emitter style registration messages for tests. */
public final class Announcements {
    private Announcements() {}

    /** One app instance announced under {@code uris}, as route-emitter sends it (one URI is the norm). */
    public static String appInstance(String org, String space, String app, String appGuid, String instanceGuid,
                              String index, String host, int port, int tlsPort, String... uris) {
        return "{\"host\":\"" + host + "\",\"port\":" + port + ",\"tls_port\":" + tlsPort
                + ",\"protocol\":\"http1\",\"uris\":[" + quoted(List.of(uris)) + "]"
                + ",\"app\":\"" + appGuid + "\",\"private_instance_id\":\"" + instanceGuid
                + "\",\"private_instance_index\":\"" + index + "\",\"server_cert_domain_san\":\"" + instanceGuid
                + "\",\"availability_zone\":\"z1\",\"isolation_segment\":\"\",\"endpoint_updated_at_ns\":1700000000000000000"
                + ",\"tags\":{\"component\":\"route-emitter\",\"source_id\":\"" + appGuid + "\",\"app_id\":\"" + appGuid
                + "\",\"app_name\":\"" + app + "\",\"organization_id\":\"org-" + org + "\",\"organization_name\":\"" + org
                + "\",\"space_id\":\"space-" + space + "\",\"space_name\":\"" + space + "\",\"process_id\":\"" + appGuid
                + "\",\"process_type\":\"web\",\"process_instance_id\":\"" + instanceGuid + "\",\"instance_id\":\"" + index + "\"}}";
    }

    /** A plain-HTTP instance of app {@code app} in org "o", space "s", with GUIDs derived from the names. */
    static String instance(String app, int index, String host, int port, String... uris) {
        return appInstance("o", "s", app, guid(app), guid(app + "/" + index), Integer.toString(index), host, port, 0, uris);
    }

    /** A route registered by a BOSH job: no app, no instance. */
    static String component(String component, String host, int port, String... uris) {
        return "{\"host\":\"" + host + "\",\"port\":" + port + ",\"uris\":[" + quoted(List.of(uris)) + "]"
                + ",\"tags\":{\"component\":\"" + component + "\"}}";
    }

    public static String guid(String seed) {
        return java.util.UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String quoted(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(","));
    }
}
