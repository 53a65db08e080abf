package io.promfetcher;

import io.promfetcher.config.ConfigLoader;
import io.promfetcher.testkit.FreePort;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway started in the test's JVM on free ports, following the given NATS server, with
 * extra settings as PROMFETCHER_* variables. The same wiring as the jar, minus signal handling.
 */
final class InProcessGateway implements AutoCloseable {
    final Gateway gateway;
    /** http://127.0.0.1:port of the API. */
    final String api;

    private InProcessGateway(Gateway gateway, String api) {
        this.gateway = gateway;
        this.api = api;
    }

    static InProcessGateway start(String natsUrl, Map<String, String> settings) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PROMFETCHER_PORT", Integer.toString(FreePort.find()));
        env.put("PROMFETCHER_HEALTH_PORT", Integer.toString(FreePort.find()));
        env.put("PROMFETCHER_NATS_SERVERS", natsUrl);
        env.put("PROMFETCHER_LOG_ACCESS", "false");
        env.putAll(settings);
        Gateway gateway = Gateway.start(ConfigLoader.load(Optional.empty(), env), r -> {});
        return new InProcessGateway(gateway, "http://127.0.0.1:" + env.get("PROMFETCHER_PORT"));
    }

    @Override
    public void close() {
        gateway.shutdown("test end");
    }
}
