package io.promfetcher.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the configuration: defaults, overridden by a YAML file ({@code --config}), overridden by
 * environment variables. Every value is checked before the gateway listens on anything, and the
 * first problem becomes a {@link ConfigException} naming the key and where it came from.
 *
 * <p>Unknown keys, in the file or as {@code PROMFETCHER_*} variables, are errors: a misspelt key
 * silently ignored would leave an operator believing a setting is in force.
 */
public final class ConfigLoader {
    private static final String ENV_PREFIX = "PROMFETCHER_";
    /** Cloud Foundry tells an app its port in PORT. */
    private static final String CF_PORT = "PORT";

    private ConfigLoader() {}

    public static GatewayConfig load(Optional<Path> file, Map<String, String> environment) throws ConfigException {
        Map<String, Key<?>> byName = Keys.ALL.stream().collect(Collectors.toMap(Key::name, k -> k));
        Map<String, Key<?>> byEnv = Keys.ALL.stream().collect(Collectors.toMap(Key::environmentVariable, k -> k));

        // Raw text and its origin per key; later sources replace earlier ones.
        Map<Key<?>, String> raw = new LinkedHashMap<>();
        Map<Key<?>, String> origins = new HashMap<>();
        if (file.isPresent()) {
            Path path = file.get();
            flatten("", readYaml(path), path, byName, raw, origins);
        }
        String cfPort = environment.get(CF_PORT);
        if (cfPort != null && !environment.containsKey(Keys.PORT.environmentVariable())) {
            raw.put(Keys.PORT, cfPort);
            origins.put(Keys.PORT, CF_PORT);
        }
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(environment).entrySet()) {
            if (!e.getKey().startsWith(ENV_PREFIX)) {
                continue;
            }
            Key<?> key = byEnv.get(e.getKey());
            if (key == null) {
                throw new ConfigException(e.getKey() + ": unknown setting" + suggestion(
                        e.getKey(), byEnv.keySet()) + " (see --help for the list)");
            }
            raw.put(key, e.getValue());
            origins.put(key, e.getKey());
        }

        Map<Key<?>, Object> values = new HashMap<>();
        for (Key<?> key : Keys.ALL) {
            String text = raw.get(key);
            values.put(key, text == null ? key.defaultValue() : parse(key, text, origins.get(key)));
        }
        GatewayConfig config = new GatewayConfig(values, origins);
        checkTogether(config);
        return config;
    }

    private static Object parse(Key<?> key, String text, String origin) throws ConfigException {
        try {
            return key.type().parse(text);
        } catch (IllegalArgumentException e) {
            String problem = e.getMessage();
            if (key.type().secret()) {
                problem = "invalid value";
            }
            throw new ConfigException(describe(key, origin) + ": " + problem);
        }
    }

    /** Rules that involve more than one key. */
    private static void checkTogether(GatewayConfig c) throws ConfigException {
        if (c.get(Keys.PORT).equals(c.get(Keys.HEALTH_PORT))) {
            throw new ConfigException(describe(Keys.HEALTH_PORT, c.origin(Keys.HEALTH_PORT))
                    + ": " + c.get(Keys.HEALTH_PORT) + " is also the API port; the two need different ports");
        }
        requireKeyWithCertificate(c, Keys.NATS_TLS_CERT_FILE, Keys.NATS_TLS_KEY_FILE);
        requireKeyWithCertificate(c, Keys.SCRAPE_TLS_CERT_FILE, Keys.SCRAPE_TLS_KEY_FILE);
        if (c.get(Keys.SCRAPE_TIMEOUT_MARGIN).compareTo(c.get(Keys.SCRAPE_INSTANCE_TIMEOUT)) >= 0) {
            throw new ConfigException(Keys.SCRAPE_TIMEOUT_MARGIN.name() + ": must be less than "
                    + Keys.SCRAPE_INSTANCE_TIMEOUT.name());
        }
        try {
            new io.promfetcher.scrape.HeaderPolicy(forwardedHeaders(c));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(Keys.SCRAPE_FORWARDED_HEADERS, c.origin(Keys.SCRAPE_FORWARDED_HEADERS))
                    + ": " + e.getMessage());
        }
        long budget = io.promfetcher.scrape.MemoryBudget.configuredLimit(c.get(Keys.SCRAPE_MAX_BUFFERED_BYTES));
        if (c.get(Keys.SCRAPE_MAX_BODY_SIZE) > budget) {
            throw new ConfigException(describe(Keys.SCRAPE_MAX_BODY_SIZE, c.origin(Keys.SCRAPE_MAX_BODY_SIZE)) + ": "
                    + io.promfetcher.scrape.ScrapeSettings.bodyDoesNotFit(c.get(Keys.SCRAPE_MAX_BODY_SIZE), budget));
        }
        requireBoth(c, Keys.NATS_USER, Keys.NATS_PASSWORD);
        requireBoth(c, Keys.ROUTES_API_USER, Keys.ROUTES_API_PASSWORD);
        checkCloudFoundry(c);
        checkBroker(c);
        if (!c.get(Keys.NATS_TOKEN).isEmpty() && !c.get(Keys.NATS_USER).isEmpty()) {
            throw new ConfigException(Keys.NATS_TOKEN.name() + ": set together with " + Keys.NATS_USER.name()
                    + "; NATS takes either a token or a user and password");
        }
    }

    /** The cf.* and auth.* keys together (issue 11). */
    private static void checkCloudFoundry(GatewayConfig c) throws ConfigException {
        boolean api = !c.get(Keys.CF_API_URL).isEmpty();
        if (!api && c.get(Keys.AUTH_MODE).equals("cf")) {
            throw new ConfigException(describe(Keys.AUTH_MODE, c.origin(Keys.AUTH_MODE))
                    + ": cf needs cf.api_url (the Cloud Controller that decides who may read an app)");
        }
        if (api && (c.get(Keys.CF_CLIENT_ID).isEmpty() || c.get(Keys.CF_CLIENT_SECRET).isEmpty())) {
            Key<String> missing = c.get(Keys.CF_CLIENT_ID).isEmpty() ? Keys.CF_CLIENT_ID : Keys.CF_CLIENT_SECRET;
            throw new ConfigException(missing.name() + ": required with cf.api_url (the gateway reads app metadata and stats"
                    + " with a UAA client of its own)");
        }
        if (c.get(Keys.CF_SKIP_SSL_VALIDATION) && !c.get(Keys.CF_CA_FILE).isEmpty()) {
            throw new ConfigException(Keys.CF_SKIP_SSL_VALIDATION.name() + ": set together with " + Keys.CF_CA_FILE.name()
                    + "; either verify against the CA or skip validation");
        }
        if (c.get(Keys.AUTH_MODE).equals("cf") && !c.get(Keys.ROUTES_API_USER).isEmpty()) {
            throw new ConfigException(Keys.ROUTES_API_USER.name() + ": not used with auth.mode cf, where /routes needs a"
                    + " bearer token with an admin-read scope; remove it");
        }
        if (c.get(Keys.AUTH_MODE).equals("cf")) {
            try {
                io.promfetcher.scrape.HeaderPolicy.withAppAuthorization(forwardedHeaders(c), c.get(Keys.AUTH_APP_AUTHORIZATION_HEADER));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(describe(Keys.AUTH_APP_AUTHORIZATION_HEADER, c.origin(Keys.AUTH_APP_AUTHORIZATION_HEADER))
                        + ": " + e.getMessage());
            }
        }
    }

    /** An enabled broker needs its credentials, a database it supports and two catalog ids. */
    private static void checkBroker(GatewayConfig c) throws ConfigException {
        if (!c.get(Keys.BROKER_ENABLED)) {
            return;
        }
        for (Key<String> required : List.of(Keys.BROKER_USER, Keys.BROKER_PASSWORD, Keys.BROKER_SERVICE_ID, Keys.BROKER_PLAN_ID)) {
            if (c.get(required).isBlank()) {
                throw new ConfigException(describe(required, c.origin(required)) + ": required when "
                        + Keys.BROKER_ENABLED.name() + " is true"
                        + (required == Keys.BROKER_PASSWORD ? " (without it anyone could bind apps)" : ""));
            }
        }
        if (c.get(Keys.BROKER_SERVICE_ID).equals(c.get(Keys.BROKER_PLAN_ID))) {
            throw new ConfigException(Keys.BROKER_PLAN_ID.name() + ": must differ from " + Keys.BROKER_SERVICE_ID.name());
        }
        try {
            io.promfetcher.broker.BrokerDatabase.checkUrl(c.get(Keys.BROKER_DATABASE_URL));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(Keys.BROKER_DATABASE_URL, c.origin(Keys.BROKER_DATABASE_URL))
                    + ": " + e.getMessage());
        }
    }

    /** The {@code scrape.forwarded_headers} list, split on commas. */
    public static List<String> forwardedHeaders(GatewayConfig c) {
        return java.util.Arrays.stream(c.get(Keys.SCRAPE_FORWARDED_HEADERS).split(","))
                .map(String::strip).filter(h -> !h.isEmpty()).toList();
    }

    private static void requireKeyWithCertificate(GatewayConfig c, Key<String> certKey, Key<String> keyKey)
            throws ConfigException {
        boolean cert = !c.get(certKey).isEmpty();
        boolean key = !c.get(keyKey).isEmpty();
        if (cert != key) {
            Key<String> missing = cert ? keyKey : certKey;
            throw new ConfigException(missing.name() + ": required with " + (cert ? certKey : keyKey).name()
                    + " (a client certificate needs its private key)");
        }
    }

    private static void requireBoth(GatewayConfig c, Key<String> user, Key<String> password) throws ConfigException {
        if (c.get(user).isEmpty() != c.get(password).isEmpty()) {
            Key<String> missing = c.get(user).isEmpty() ? user : password;
            Key<String> given = missing == user ? password : user;
            throw new ConfigException(missing.name() + ": required with " + given.name());
        }
    }

    private static String describe(Key<?> key, String origin) {
        if (origin == null || origin.equals("default")) {
            return key.name();
        }
        if (origin.startsWith("file ")) {
            return key.name() + " (in " + origin.substring(5) + ")";
        }
        return origin + " (" + key.name() + ")";
    }

    private static Object readYaml(Path path) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit(1 << 20);
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return new Yaml(new SafeConstructor(options)).load(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new ConfigException(path + ": malformed YAML" + where + ": " + oneLine(problem));
        } catch (YAMLException e) {
            throw new ConfigException(path + ": malformed YAML: " + oneLine(e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read the config file (" + oneLine(String.valueOf(e.getMessage())) + ")");
        }
    }

    private static void flatten(String prefix, Object node, Path file, Map<String, Key<?>> byName,
                                Map<Key<?>, String> raw, Map<Key<?>, String> origins) throws ConfigException {
        if (node == null && prefix.isEmpty()) {
            return; // an empty file: all defaults
        }
        if (!(node instanceof Map<?, ?> map)) {
            throw new ConfigException(file + ": " + (prefix.isEmpty() ? "the top level" : prefix.substring(0, prefix.length() - 1))
                    + " must be a mapping of keys to values");
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = prefix + entry.getKey();
            Key<?> key = byName.get(name);
            Object value = entry.getValue();
            if (key != null) {
                if (value instanceof Map) {
                    throw new ConfigException(name + " (in " + file + "): expected a value, found a section");
                }
                raw.put(key, scalar(value));
                origins.put(key, "file " + file);
            } else if (value instanceof Map && isSection(name, byName)) {
                flatten(name + ".", value, file, byName, raw, origins);
            } else {
                throw new ConfigException(name + " (in " + file + "): unknown key"
                        + suggestion(name, byName.keySet()) + " (see --help for the list)");
            }
        }
    }

    private static boolean isSection(String name, Map<String, Key<?>> byName) {
        return byName.keySet().stream().anyMatch(k -> k.startsWith(name + "."));
    }

    /** YAML lists become comma-separated text, so a list key reads the same from file and env. */
    private static String scalar(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }

    private static String suggestion(String wrong, java.util.Collection<String> known) {
        return known.stream()
                .filter(k -> EditDistance.between(k, wrong) <= 2)
                .min(Comparator.comparingInt(k -> EditDistance.between(k, wrong)))
                .map(k -> "; did you mean " + k + "?")
                .orElse("");
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
