package io.promfetcher.workload.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * Who this process is: the service name, its instance index and the port it listens on. Cloud
 * Foundry gives the index in {@code CF_INSTANCE_INDEX} and {@code VCAP_APPLICATION} and the port
 * in {@code PORT}; locally {@code INSTANCE_INDEX} and {@code PORT} set them.
 */
public record Instance(String service, int index, int port) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Instance from(String service, Env env, int defaultPort) {
        int port = env.integer("PORT", defaultPort, 0, 65535);
        return new Instance(service, index(env), port);
    }

    private static int index(Env env) {
        if (env.optional("INSTANCE_INDEX").isPresent()) {
            return env.integer("INSTANCE_INDEX", 0, 0, 10_000);
        }
        if (env.optional("CF_INSTANCE_INDEX").isPresent()) {
            return env.integer("CF_INSTANCE_INDEX", 0, 0, 10_000);
        }
        return vcapIndex(env).orElse(0);
    }

    private static Optional<Integer> vcapIndex(Env env) {
        Optional<String> vcap = env.optional("VCAP_APPLICATION");
        if (vcap.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode index = JSON.readTree(vcap.get()).path("instance_index");
            if (index.isMissingNode()) {
                return Optional.empty();
            }
            if (!index.canConvertToInt() || index.asInt() < 0) {
                throw new ConfigException("VCAP_APPLICATION is invalid: instance_index is not a non-negative integer");
            }
            return Optional.of(index.asInt());
        } catch (JsonProcessingException e) {
            throw new ConfigException("VCAP_APPLICATION is invalid: not JSON (" + e.getOriginalMessage() + ")");
        }
    }
}
