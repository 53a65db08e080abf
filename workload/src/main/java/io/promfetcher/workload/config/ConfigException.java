package io.promfetcher.workload.config;

/** A configuration value that cannot be used; its message is the one line printed before exit 2. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
