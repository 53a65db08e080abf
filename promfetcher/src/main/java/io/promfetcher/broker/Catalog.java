package io.promfetcher.broker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the broker offers ({@code GET /v2/catalog}): one service, {@code promfetcher}, with one
 * free, bindable plan, {@code fetch-app}, as the Go promfetcher's broker offered them (same names,
 * same default ids), so a foundation can point its existing service broker at this gateway. The
 * plan publishes the JSON schema of its binding parameters, which the platform can show
 * ({@code cf marketplace -e promfetcher}).
 */
record Catalog(String serviceId, String planId) {
    static final String SERVICE_NAME = "promfetcher";
    static final String PLAN_NAME = "fetch-app";

    Catalog {
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(planId, "planId");
    }

    /** The catalog document. */
    byte[] json() {
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("type", "string");
        endpoint.put("description", "Path of the app's Prometheus metrics on each instance, e.g. /actuator/prometheus (default /metrics)");
        Map<String, Object> scrape = new LinkedHashMap<>();
        scrape.put("type", "boolean");
        scrape.put("description", "false leaves the app out of the gateway's service discovery (/v1/sd)");
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("$schema", "http://json-schema.org/draft-04/schema#");
        parameters.put("type", "object");
        parameters.put("additionalProperties", false);
        parameters.put("properties", Map.of("endpoint", endpoint, "scrape", scrape));

        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("id", planId);
        plan.put("name", PLAN_NAME);
        plan.put("description", "Fetch your prometheus metrics on each instance of your app by setting an endpoint to scrape");
        plan.put("free", true);
        plan.put("bindable", true);
        plan.put("metadata", Map.of("displayName", PLAN_NAME));
        plan.put("schemas", Map.of("service_binding", Map.of("create", Map.of("parameters", parameters))));

        Map<String, Object> service = new LinkedHashMap<>();
        service.put("id", serviceId);
        service.put("name", SERVICE_NAME);
        service.put("description", "Fetch your prometheus metrics on each instance of your app");
        service.put("bindable", true);
        service.put("instances_retrievable", false);
        service.put("bindings_retrievable", true);
        service.put("plan_updateable", false);
        service.put("tags", List.of("prometheus", "metrics"));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("displayName", SERVICE_NAME);
        metadata.put("longDescription", "Fetch your prometheus metrics on each instance of your app.");
        metadata.put("providerDisplayName", "promfetcher");
        service.put("metadata", metadata);
        service.put("plans", List.of(plan));
        return OsbJson.write(Map.of("services", List.of(service)));
    }
}
