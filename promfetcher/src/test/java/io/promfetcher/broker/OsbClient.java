package io.promfetcher.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A platform's side of the Open Service Broker API, for tests: what Cloud Foundry's Cloud
 * Controller sends (basic auth, X-Broker-API-Version 2.17, JSON bodies) to a gateway's /broker.
 */
public final class OsbClient {
    public static final String USER = "broker-user";
    public static final String PASSWORD = "broker-secret";
    public static final String SERVICE_ID = "75bcebab-cc25-4ef6-89dc-a91b953919f1";
    public static final String PLAN_ID = "e2900be3-709b-419e-b63b-de3aabcd9e15";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Status, headers and body of one answer; {@link #json()} parses the body. */
    public record Answer(int status, HttpResponse<String> response) {
        public JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + response.body(), e);
            }
        }

        public String body() {
            return response.body();
        }
    }

    private final String api;
    /** One client per gateway: connections are never reused across gateways that come and go. */
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param api http://127.0.0.1:port of a gateway */
    public OsbClient(String api) {
        this.api = api;
    }

    /** The gateway's environment that enables the broker with this client's credentials. */
    public static Map<String, String> brokerSettings(String databaseUrl, String user, String password) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PROMFETCHER_BROKER_ENABLED", "true");
        env.put("PROMFETCHER_BROKER_USER", USER);
        env.put("PROMFETCHER_BROKER_PASSWORD", PASSWORD);
        env.put("PROMFETCHER_BROKER_DATABASE_URL", databaseUrl);
        env.put("PROMFETCHER_BROKER_DATABASE_USER", user);
        env.put("PROMFETCHER_BROKER_DATABASE_PASSWORD", password);
        env.put("PROMFETCHER_BROKER_DATABASE_TIMEOUT", "2s");
        env.put("PROMFETCHER_BROKER_REFRESH_INTERVAL", "300ms");
        return env;
    }

    public Answer provision(String instanceId) throws Exception {
        return send("PUT", "/v2/service_instances/" + instanceId + "?accepts_incomplete=true",
                "{\"service_id\":\"" + SERVICE_ID + "\",\"plan_id\":\"" + PLAN_ID + "\",\"organization_guid\":\"org-guid\","
                        + "\"space_guid\":\"space-guid\",\"context\":{\"platform\":\"cloudfoundry\",\"organization_guid\":\"org-guid\","
                        + "\"space_guid\":\"space-guid\",\"instance_name\":\"m\"}}");
    }

    /** Binds an app with the given parameters (a JSON object's text, or null for none). */
    public Answer bind(String instanceId, String bindingId, String appGuid, String parameters) throws Exception {
        return send("PUT", "/v2/service_instances/" + instanceId + "/service_bindings/" + bindingId,
                "{\"service_id\":\"" + SERVICE_ID + "\",\"plan_id\":\"" + PLAN_ID + "\",\"app_guid\":\"" + appGuid + "\","
                        + "\"bind_resource\":{\"app_guid\":\"" + appGuid + "\"},"
                        + "\"context\":{\"platform\":\"cloudfoundry\",\"organization_guid\":\"org-guid\",\"space_guid\":\"space-guid\"}"
                        + (parameters == null ? "" : ",\"parameters\":" + parameters) + "}");
    }

    public Answer fetchBinding(String instanceId, String bindingId) throws Exception {
        return send("GET", "/v2/service_instances/" + instanceId + "/service_bindings/" + bindingId
                + "?service_id=" + SERVICE_ID + "&plan_id=" + PLAN_ID, null);
    }

    public Answer unbind(String instanceId, String bindingId) throws Exception {
        return send("DELETE", "/v2/service_instances/" + instanceId + "/service_bindings/" + bindingId
                + "?service_id=" + SERVICE_ID + "&plan_id=" + PLAN_ID + "&accepts_incomplete=true", null);
    }

    public Answer deprovision(String instanceId) throws Exception {
        return send("DELETE", "/v2/service_instances/" + instanceId + "?service_id=" + SERVICE_ID + "&plan_id=" + PLAN_ID, null);
    }

    /** A call as the platform makes it: credentials, API version 2.17, JSON. */
    public Answer send(String method, String pathUnderBroker, String body) throws Exception {
        return send(method, pathUnderBroker, body, Map.of(
                "Authorization", basic(USER, PASSWORD),
                "X-Broker-API-Version", "2.17",
                "Content-Type", "application/json"));
    }

    /** A call with exactly these headers. */
    public Answer send(String method, String pathUnderBroker, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + "/broker" + pathUnderBroker))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response);
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
