package io.promfetcher.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutesJsonTest {
    private static String json(RouteSnapshot snapshot) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RoutesJson.write(snapshot, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesAppsInstancesAndComponents() throws Exception {
        AppView app = new AppView(new AppIdentity("org-1", "my-org", "space-1", "dev", "app-1", "my-app"), List.of(
                new Instance("0", "inst-0", "10.0.1.12", 61012, 61014, "inst-0", "http1", "z1",
                        List.of("my-app.example.com"), Duration.ofMillis(3_250), Duration.ofSeconds(120)),
                new Instance("1", "inst-1", "10.0.1.13", 8080, 0, "", "", "",
                        List.of("my-app.example.com", "alt.example.com"), Duration.ofNanos(1_234_567_891L), Duration.ofSeconds(60))));
        ComponentView uaa = new ComponentView("uaa", "10.0.0.50", 8080, 0, List.of("uaa.sys.example.com"), Duration.ofSeconds(5));

        assertThat(json(new RouteSnapshot(List.of(app), List.of(uaa), false))).isEqualTo(
                "{\"warming_up\":false,\"apps\":[{\"organization_id\":\"org-1\",\"organization_name\":\"my-org\","
                + "\"space_id\":\"space-1\",\"space_name\":\"dev\",\"app_id\":\"app-1\",\"app_name\":\"my-app\",\"instances\":["
                + "{\"index\":\"0\",\"instance_id\":\"inst-0\",\"address\":\"10.0.1.12:61014\",\"host\":\"10.0.1.12\","
                + "\"port\":61012,\"tls_port\":61014,\"tls\":true,\"server_cert_domain_san\":\"inst-0\",\"protocol\":\"http1\","
                + "\"availability_zone\":\"z1\",\"uris\":[\"my-app.example.com\"],\"seconds_since_refresh\":3.25,"
                + "\"stale_threshold_seconds\":120.0},"
                + "{\"index\":\"1\",\"instance_id\":\"inst-1\",\"address\":\"10.0.1.13:8080\",\"host\":\"10.0.1.13\","
                + "\"port\":8080,\"tls_port\":0,\"tls\":false,\"server_cert_domain_san\":\"\",\"protocol\":\"\","
                + "\"availability_zone\":\"\",\"uris\":[\"my-app.example.com\",\"alt.example.com\"],\"seconds_since_refresh\":1.235,"
                + "\"stale_threshold_seconds\":60.0}]}],"
                + "\"components\":[{\"component\":\"uaa\",\"host\":\"10.0.0.50\",\"port\":8080,\"tls_port\":0,"
                + "\"uris\":[\"uaa.sys.example.com\"],\"seconds_since_refresh\":5.0}]}");
    }

    @Test
    void anEmptyTableWhileWarmingUpSaysSo() throws Exception {
        assertThat(json(new RouteSnapshot(List.of(), List.of(), true)))
                .isEqualTo("{\"warming_up\":true,\"apps\":[],\"components\":[]}");
    }

    @Test
    void namesNeedingEscapesAreEscaped() throws Exception {
        AppView app = new AppView(new AppIdentity("o", "org \"quoted\"", "s", "späce\n", "a", "app\\x"), List.of());
        assertThat(json(new RouteSnapshot(List.of(app), List.of(), false)))
                .contains("\"organization_name\":\"org \\\"quoted\\\"\"")
                .contains("\"space_name\":\"späce\\n\"")
                .contains("\"app_name\":\"app\\\\x\"");
    }

    @Test
    void theOutputStreamIsLeftOpen() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                throw new AssertionError("closed");
            }
        };
        RoutesJson.write(new RouteSnapshot(List.of(), List.of(), false), out);
        assertThat(out.size()).isPositive();
    }
}
