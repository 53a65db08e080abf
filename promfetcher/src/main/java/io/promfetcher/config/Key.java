package io.promfetcher.config;

import java.util.Locale;

/**
 * One configuration setting: its dotted YAML name (e.g. {@code nats.tls.ca_file}), how its value
 * is read, its default and what it means. The environment variable that overrides it is derived
 * from the name: {@code PROMFETCHER_} + the name in upper case with dots as underscores.
 */
public record Key<T>(String name, ValueType<T> type, T defaultValue, String description) {

    public String environmentVariable() {
        return "PROMFETCHER_" + name.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    public String formattedDefault() {
        return type.format(defaultValue);
    }
}
