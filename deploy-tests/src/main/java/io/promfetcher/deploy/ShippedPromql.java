package io.promfetcher.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Every PromQL expression in the shipped Grafana dashboards and alert rules, ready to send to a
 * Prometheus server: Grafana variables are replaced by concrete values (the dashboard's own
 * defaults unless the caller gives others). Tests use it twice: to check that Prometheus accepts
 * each expression, and, against the running local system, that each panel returns data.
 */
public final class ShippedPromql {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** $name, ${name}, ${name:format} and the deprecated [[name]]. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\[\\[(\\w+)(?::[^]]*)?]]|\\$(\\w+)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[\\w.]+\\s*\\)\\s*$", Pattern.DOTALL);
    private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);

    /**
     * Values for Grafana's built-in variables: a rate window of 1 minute suits a scrape interval
     * up to 15 s (rate() needs two samples in the window).
     */
    public static final Map<String, String> BUILT_INS = Map.of(
            "__rate_interval", "1m",
            "__interval", "15s",
            "__range", "1h",
            "__range_s", "3600",
            "__interval_ms", "15000");

    private ShippedPromql() {}

    /**
     * One expression and where it comes from.
     *
     * @param source    the file name
     * @param panel     the panel title, the variable ("variable <name>") or the alert name
     * @param refId     the query's refId in its panel ("" for variables and alerts)
     * @param raw       the expression as written, Grafana variables included
     * @param promql    the expression with every variable replaced: what Prometheus receives
     */
    public record Query(String source, String panel, String refId, String raw, String promql) {
        @Override
        public String toString() {
            return source + " / " + panel + (refId.isEmpty() ? "" : " / " + refId) + ": " + promql;
        }
    }

    /**
     * The queries of one panel (or one variable, or one alert). A panel shows data when any of its
     * queries returns some: "Errors by reason", for one, has a query that is empty while nothing
     * fails.
     */
    public record Panel(String source, String title, List<Query> queries) {}

    /** Groups queries by file and panel title, in their order. */
    public static List<Panel> byPanel(List<Query> queries) {
        Map<List<String>, List<Query>> groups = new LinkedHashMap<>();
        for (Query q : queries) {
            groups.computeIfAbsent(List.of(q.source(), q.panel()), k -> new ArrayList<>()).add(q);
        }
        List<Panel> panels = new ArrayList<>();
        groups.forEach((key, group) -> panels.add(new Panel(key.get(0), key.get(1), List.copyOf(group))));
        return panels;
    }

    /** Every panel target and variable query of a dashboard, with the dashboard's default variable values. */
    public static List<Query> fromDashboard(Path dashboard) {
        return fromDashboard(dashboard, Map.of());
    }

    /**
     * Every panel target (rows and nested panels included) and every query variable of a
     * dashboard. {@code values} overrides variable values; others take the dashboard's current
     * value, "All" meaning the variable's allValue (or {@code .*}).
     */
    public static List<Query> fromDashboard(Path dashboard, Map<String, String> values) {
        JsonNode root = readJson(dashboard);
        String source = dashboard.getFileName().toString();
        if (!root.isObject() || !root.path("panels").isArray()) {
            throw new IllegalArgumentException(source + " is not a Grafana dashboard: no top-level \"panels\" list");
        }
        Map<String, String> variables = new LinkedHashMap<>(BUILT_INS);
        variables.putAll(defaults(root, source));
        variables.putAll(values);
        List<Query> queries = new ArrayList<>();
        for (JsonNode variable : root.path("templating").path("list")) {
            if (!"query".equals(variable.path("type").asText())) {
                continue;
            }
            JsonNode query = variable.path("query");
            String text = query.isObject() ? query.path("query").asText() : query.asText();
            promqlOfVariableQuery(text).ifPresent(expr -> queries.add(new Query(source,
                    "variable " + variable.path("name").asText(), "", expr, substitute(expr, variables, source))));
        }
        collectPanels(root.path("panels"), source, variables, queries);
        return queries;
    }

    private static void collectPanels(JsonNode panels, String source, Map<String, String> variables, List<Query> out) {
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                if (expr.isBlank()) {
                    throw new IllegalArgumentException(source + ": panel \"" + title + "\" target "
                            + target.path("refId").asText("?") + " has no expr");
                }
                out.add(new Query(source, title, target.path("refId").asText(""), expr,
                        substitute(expr, variables, source)));
            }
            // Collapsed rows keep their panels inside the row.
            collectPanels(panel.path("panels"), source, variables, out);
        }
    }

    /** The PromQL inside a variable's query: label_values(selector, label) or query_result(expr). */
    static Optional<String> promqlOfVariableQuery(String query) {
        Matcher m = LABEL_VALUES.matcher(query);
        if (m.matches()) {
            return Optional.of(m.group(1).strip());
        }
        m = QUERY_RESULT.matcher(query);
        if (m.matches()) {
            return Optional.of(m.group(1).strip());
        }
        return Optional.empty(); // label_values(label), metrics(regex), label_names(): no PromQL
    }

    /** The dashboard's default value of each variable; "All" becomes the variable's allValue. */
    static Map<String, String> defaults(JsonNode dashboard, String source) {
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String name = variable.path("name").asText();
            JsonNode current = variable.path("current").path("value");
            String value = current.isArray() ? (current.isEmpty() ? "" : current.get(0).asText()) : current.asText("");
            if (value.equals("$__all") || value.equals("All")) {
                value = variable.path("allValue").asText(".*");
            }
            values.put(name, value);
        }
        return values;
    }

    /** Replaces Grafana variables; an unknown variable is an error naming it. */
    public static String substitute(String expr, Map<String, String> variables, String source) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = variables.get(name);
            if (value == null) {
                throw new IllegalArgumentException(source + ": expression uses undefined variable $" + name + ": " + expr);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every alerting and recording rule expression of a Prometheus rules file. */
    public static List<Query> fromAlertRules(Path rulesFile) {
        String source = rulesFile.getFileName().toString();
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(rulesFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + rulesFile, e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + " is not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map) || !(map.get("groups") instanceof List<?> groups)) {
            throw new IllegalArgumentException(source + " is not a Prometheus rules file: no top-level \"groups\" list");
        }
        List<Query> queries = new ArrayList<>();
        for (Object g : groups) {
            if (!(g instanceof Map<?, ?> group) || !(group.get("rules") instanceof List<?> rules)) {
                throw new IllegalArgumentException(source + ": a group has no \"rules\" list");
            }
            for (Object r : rules) {
                if (!(r instanceof Map<?, ?> rule) || !(rule.get("expr") instanceof String expr) || expr.isBlank()) {
                    throw new IllegalArgumentException(source + ": group " + group.get("name") + " has a rule without expr");
                }
                Object name = rule.containsKey("alert") ? rule.get("alert") : rule.get("record");
                queries.add(new Query(source, String.valueOf(name), "", expr.strip(), expr.strip()));
            }
        }
        return queries;
    }

    /** Every expression of the shipped dashboards (default variable values) and alert rules. */
    public static List<Query> all() {
        List<Query> all = new ArrayList<>();
        for (Path dashboard : ShippedFiles.dashboards()) {
            all.addAll(fromDashboard(dashboard));
        }
        all.addAll(fromAlertRules(ShippedFiles.alertRules()));
        all.sort(Comparator.comparing(Query::source));
        return all;
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file.getFileName() + " is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
