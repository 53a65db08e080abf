package io.promfetcher.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Synthetic route-emitter announcements for a foundation: apps × instances, spread over cells, in the
 * exact shape route-emitter sends (one URI per message, all tags).
 */
final class RouteMessages {
    private RouteMessages() {}

    /** One message per instance; instances of one app are adjacent; ~100 instances per cell. */
    static byte[][] foundation(int apps, int instancesPerApp) {
        byte[][] messages = new byte[apps * instancesPerApp][];
        int cells = Math.max(1, apps * instancesPerApp / 100);
        int[] portsUsed = new int[cells]; // every instance on a cell has its own port, as Diego assigns them
        int n = 0;
        for (int app = 0; app < apps; app++) {
            String appGuid = guid("app" + app);
            String org = "org-" + app % 50;
            String space = "space-" + app % 400;
            for (int i = 0; i < instancesPerApp; i++) {
                int cell = (app * instancesPerApp + i) * 7919 % cells;
                String instanceGuid = guid("app" + app + "/" + i);
                String host = "10." + (cell / 65536) % 256 + "." + (cell / 256) % 256 + "." + cell % 256;
                int port = 61000 + 2 * portsUsed[cell]++;
                messages[n++] = message(appGuid, "app-" + app, org, space, instanceGuid, i, host, port,
                        "app-" + app + ".apps.example.com");
            }
        }
        return messages;
    }

    static byte[] message(String appGuid, String appName, String org, String space, String instanceGuid,
                          int index, String host, int port, String uri) {
        String json = "{\"host\":\"" + host + "\",\"port\":" + port + ",\"tls_port\":" + (port + 1)
                + ",\"protocol\":\"http1\",\"uris\":[\"" + uri + "\"],\"app\":\"" + appGuid
                + "\",\"private_instance_id\":\"" + instanceGuid + "\",\"private_instance_index\":\"" + index
                + "\",\"server_cert_domain_san\":\"" + instanceGuid + "\",\"isolation_segment\":\"\""
                + ",\"availability_zone\":\"z" + (index % 3 + 1) + "\",\"endpoint_updated_at_ns\":1700000000000000000"
                + ",\"tags\":{\"component\":\"route-emitter\",\"source_id\":\"" + appGuid + "\",\"app_id\":\"" + appGuid
                + "\",\"app_name\":\"" + appName + "\",\"organization_id\":\"" + guid(org) + "\",\"organization_name\":\"" + org
                + "\",\"space_id\":\"" + guid(space) + "\",\"space_name\":\"" + space + "\",\"process_id\":\"" + appGuid
                + "\",\"process_type\":\"web\",\"process_instance_id\":\"" + instanceGuid + "\",\"instance_id\":\"" + index + "\"}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static String guid(String seed) {
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
