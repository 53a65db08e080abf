package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway app's environment, as Cloud Foundry would give it (PORT=8080, the manifest's env,
 * the example vars), is accepted by the gateway's own configuration check.
 */
class CfGatewayManifestIT {
    @SuppressWarnings("unchecked")
    private static Map<String, String> cfEnvironment() throws IOException {
        Map<String, Object> vars = CfManifestTest.yaml(CfManifestTest.cf("promfetcher-vars.yml"));
        Map<String, Object> app = CfManifestTest.app(CfManifestTest.cf("promfetcher.yml"), "promfetcher");
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) app.get("env")).forEach((k, v) -> {
            String value = String.valueOf(v);
            for (Map.Entry<String, Object> var : vars.entrySet()) {
                value = value.replace("((" + var.getKey() + "))", String.valueOf(var.getValue()));
            }
            env.put(k, value);
        });
        env.put("PORT", "8080"); // what Cloud Foundry gives every app
        env.put("VCAP_APPLICATION", "{\"application_name\":\"promfetcher\",\"instance_index\":0}");
        return env;
    }

    @Test
    void theGatewayAcceptsTheEnvironmentCloudFoundryGivesIt() throws Exception {
        GatewayJar.Result result = GatewayJar.checkConfig(cfEnvironment());

        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void withoutMovingTheHealthPortTheGatewayWouldRefuseToStartOnCf() throws Exception {
        // Proves the check above can fail: CF's PORT=8080 collides with the default health port.
        Map<String, String> env = cfEnvironment();
        env.remove("PROMFETCHER_HEALTH_PORT");

        GatewayJar.Result result = GatewayJar.checkConfig(env);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("health_port");
    }

    @Test
    void theManifestEnablesTheBrokerOnPostgresqlAndAnEmptyBrokerPasswordIsRefused() throws Exception {
        Map<String, String> env = cfEnvironment();
        assertThat(env).containsEntry("PROMFETCHER_BROKER_ENABLED", "true");
        assertThat(env.get("PROMFETCHER_BROKER_DATABASE_URL")).startsWith("jdbc:postgresql://");

        env.put("PROMFETCHER_BROKER_PASSWORD", "");
        GatewayJar.Result result = GatewayJar.checkConfig(env);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("broker.password");
    }
}
