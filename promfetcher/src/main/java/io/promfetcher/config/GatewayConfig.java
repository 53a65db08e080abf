package io.promfetcher.config;

import java.util.Map;

/**
 * The gateway's validated configuration: a value for every {@link Keys key}, taken from the
 * environment, else the config file, else the default. Immutable; the wiring reads it once at
 * start and hands each stage the values it needs.
 */
public final class GatewayConfig {
    private final Map<Key<?>, Object> values;
    private final Map<Key<?>, String> origins;

    GatewayConfig(Map<Key<?>, Object> values, Map<Key<?>, String> origins) {
        this.values = Map.copyOf(values);
        this.origins = Map.copyOf(origins);
    }

    /** The defaults alone, as with no file and no environment. */
    public static GatewayConfig defaults() {
        try {
            return ConfigLoader.load(java.util.Optional.empty(), Map.of());
        } catch (ConfigException e) {
            throw new IllegalStateException("the built-in defaults do not validate: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        Object value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("not a gateway setting: " + key.name());
        }
        return (T) value;
    }

    /** Where a value came from: "default", the environment variable, or the file. */
    public String origin(Key<?> key) {
        return origins.getOrDefault(key, "default");
    }
}
