package io.promfetcher.config;

/**
 * A configuration value the gateway cannot run with. Its message is the single line an operator
 * sees on stderr: where the value came from (key, environment variable or file) and what is wrong.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
