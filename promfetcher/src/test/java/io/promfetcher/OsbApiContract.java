package io.promfetcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.promfetcher.broker.OsbClient;
import io.promfetcher.broker.OsbClient.Answer;
import io.promfetcher.testkit.NatsServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every call of the Open Service Broker API the broker serves, with every status code the spec
 * gives it, over HTTP against a gateway in this JVM: {@link OsbApiPostgresIT} on a real
 * PostgreSQL, {@link OsbApiEmbeddedIT} on the embedded H2 file. Every refused request is checked
 * to have stored nothing (the database's rows and change counter are unchanged).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OsbApiContract {
    static final String S = OsbClient.SERVICE_ID;
    static final String P = OsbClient.PLAN_ID;

    private NatsServer nats;
    private InProcessGateway gateway;
    OsbClient osb;
    String instance;

    /** JDBC URL, user and password of a fresh database for the gateway. */
    abstract String[] database() throws Exception;

    void startGateway() throws Exception {
        nats = new NatsServer();
        nats.start();
        String[] db = database();
        Map<String, String> env = new HashMap<>(OsbClient.brokerSettings(db[0], db[1], db[2]));
        gateway = InProcessGateway.start(nats.url(), env);
        osb = new OsbClient(gateway.api);
    }

    @AfterAll
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    @BeforeEach
    void freshInstance() throws Exception {
        if (gateway == null) {
            startGateway();
        }
        instance = UUID.randomUUID().toString();
        assertThat(osb.provision(instance).status()).isEqualTo(201);
    }

    // ---- the database, read directly ----------------------------------------------------------

    /** Rows of both tables and the change counter: what a refused request must leave as it was. */
    String stored() throws Exception {
        String[] db = database();
        try (Connection c = DriverManager.getConnection(db[0] + (db[0].startsWith("jdbc:h2:") ? ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE" : ""),
                db[1], db[2]); Statement s = c.createStatement()) {
            StringBuilder out = new StringBuilder();
            for (String q : new String[] {"SELECT count(*) FROM broker_service_instance", "SELECT count(*) FROM broker_service_binding",
                    "SELECT version FROM broker_change"}) {
                try (ResultSet r = s.executeQuery(q)) {
                    r.next();
                    out.append(r.getLong(1)).append(' ');
                }
            }
            return out.toString();
        }
    }

    /** Sends the call and checks the status, the OSB error body, and that nothing was stored. */
    JsonNode refused(int status, String method, String path, String body) throws Exception {
        return refused(status, method, path, body, null);
    }

    JsonNode refused(int status, String method, String path, String body, Map<String, String> headers) throws Exception {
        String before = stored();
        Answer answer = headers == null ? osb.send(method, path, body) : osb.send(method, path, body, headers);
        assertThat(answer.status()).as(method + " " + path + " " + body + ": " + answer.body()).isEqualTo(status);
        assertThat(answer.response().headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode json = answer.json();
        assertThat(json.path("error").asText()).as(answer.body()).isNotBlank().matches("[A-Z][A-Za-z]+");
        assertThat(json.path("description").asText()).as(answer.body()).isNotBlank();
        assertThat(stored()).as("nothing stored by " + method + " " + path).isEqualTo(before);
        return json;
    }

    static String bindBody(String app, String parameters) {
        return "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"bind_resource\":{\"app_guid\":\"" + app + "\"}"
                + (parameters == null ? "" : ",\"parameters\":" + parameters) + "}";
    }

    String bindingPath(String binding) {
        return "/v2/service_instances/" + instance + "/service_bindings/" + binding;
    }

    // ---- catalog ---------------------------------------------------------------------------

    @Test
    void theCatalogIsTheGoPromfetchersServiceAndPlan() throws Exception {
        Answer catalog = osb.send("GET", "/v2/catalog", null);

        assertThat(catalog.status()).isEqualTo(200);
        JsonNode service = catalog.json().path("services").get(0);
        assertThat(catalog.json().path("services").size()).isEqualTo(1);
        assertThat(service.path("id").asText()).isEqualTo(S);
        assertThat(service.path("name").asText()).isEqualTo("promfetcher");
        assertThat(service.path("bindable").asBoolean()).isTrue();
        assertThat(service.path("bindings_retrievable").asBoolean()).isTrue();
        assertThat(service.path("instances_retrievable").asBoolean()).isFalse();
        assertThat(service.path("plan_updateable").asBoolean()).isFalse();
        assertThat(service.path("description").asText()).isNotBlank();
        JsonNode plan = service.path("plans").get(0);
        assertThat(plan.path("id").asText()).isEqualTo(P);
        assertThat(plan.path("name").asText()).isEqualTo("fetch-app");
        assertThat(plan.path("free").asBoolean()).isTrue();
        assertThat(plan.path("schemas").path("service_binding").path("create").path("parameters").path("properties").has("endpoint")).isTrue();
    }

    // ---- provisioning, update, deprovisioning ----------------------------------------------

    @Test
    void provisioningIs201ThenAnIdenticalRepeatIs200AndADifferentOneIs409() throws Exception {
        String id = UUID.randomUUID().toString();
        Answer first = osb.provision(id);
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.body()).isEqualTo("{}");
        assertThat(osb.provision(id).status()).isEqualTo(200);

        refused(409, "PUT", "/v2/service_instances/" + id, "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P
                + "\",\"organization_guid\":\"another-org\",\"space_guid\":\"space-guid\"}");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "not json",
        "[1,2]",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"organization_guid\":\"o\"}",
        "{\"plan_id\":\"" + P + "\",\"organization_guid\":\"o\",\"space_guid\":\"s\"}",
        "{\"service_id\":\"unknown\",\"plan_id\":\"" + P + "\",\"organization_guid\":\"o\",\"space_guid\":\"s\"}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"unknown\",\"organization_guid\":\"o\",\"space_guid\":\"s\"}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"organization_guid\":\"\",\"space_guid\":\"s\"}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":7,\"organization_guid\":\"o\",\"space_guid\":\"s\"}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"organization_guid\":\"o\",\"space_guid\":\"s\",\"parameters\":{\"endpoint\":\"/x\"}}",
        "{\"service_id\":\"" + S + "\",\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"organization_guid\":\"o\",\"space_guid\":\"s\"}",
    })
    void aBadProvisionRequestIs400(String body) throws Exception {
        refused(400, "PUT", "/v2/service_instances/" + UUID.randomUUID(), body);
    }

    @Test
    void provisioningWithAMaintenanceInfoTheCatalogDoesNotDeclareIs422MaintenanceInfoConflict() throws Exception {
        JsonNode error = refused(422, "PUT", "/v2/service_instances/" + UUID.randomUUID(), "{\"service_id\":\"" + S
                + "\",\"plan_id\":\"" + P + "\",\"organization_guid\":\"o\",\"space_guid\":\"s\",\"maintenance_info\":{\"version\":\"1.0.0\"}}");
        assertThat(error.path("error").asText()).isEqualTo("MaintenanceInfoConflict");
    }

    @Test
    void updatingIs200AndChangesNothing() throws Exception {
        Answer update = osb.send("PATCH", "/v2/service_instances/" + instance, "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P
                + "\",\"context\":{\"platform\":\"cloudfoundry\",\"instance_name\":\"renamed\"}}");
        assertThat(update.status()).isEqualTo(200);
        assertThat(update.body()).isEqualTo("{}");
    }

    @Test
    void updatingWithParametersIs422AndWithAnUnknownPlanIs400() throws Exception {
        refused(422, "PATCH", "/v2/service_instances/" + instance, "{\"service_id\":\"" + S + "\",\"parameters\":{\"endpoint\":\"/x\"}}");
        refused(422, "PATCH", "/v2/service_instances/" + instance, "{\"service_id\":\"" + S + "\",\"maintenance_info\":{\"version\":\"2.0.0\"}}");
        refused(400, "PATCH", "/v2/service_instances/" + instance, "{\"service_id\":\"" + S + "\",\"plan_id\":\"other\"}");
        refused(400, "PATCH", "/v2/service_instances/" + instance, "{\"plan_id\":\"" + P + "\"}");
    }

    @Test
    void deprovisioningIs200ThenGone410() throws Exception {
        Answer first = osb.deprovision(instance);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{}");
        assertThat(osb.deprovision(instance).status()).isEqualTo(410);
    }

    @Test
    void deprovisioningDeletesTheBindingsThePlatformLeftBehind() throws Exception {
        assertThat(osb.bind(instance, "b-" + UUID.randomUUID(), "app-left", "{\"endpoint\":\"/left\"}").status()).isEqualTo(201);
        String before = stored();

        assertThat(osb.deprovision(instance).status()).isEqualTo(200);

        assertThat(Long.parseLong(stored().split(" ")[1])).isEqualTo(Long.parseLong(before.split(" ")[1]) - 1);
    }

    @Test
    void deprovisioningWithoutOrWithWrongServiceAndPlanIs400() throws Exception {
        refused(400, "DELETE", "/v2/service_instances/" + instance, null);
        refused(400, "DELETE", "/v2/service_instances/" + instance + "?service_id=" + S, null);
        refused(400, "DELETE", "/v2/service_instances/" + instance + "?service_id=" + S + "&plan_id=nope", null);
    }

    // ---- binding ---------------------------------------------------------------------------

    @Test
    void bindingIs201WithTheSettingsAsCredentialsThen200ForAnIdenticalRepeat() throws Exception {
        String binding = UUID.randomUUID().toString();
        Answer bind = osb.bind(instance, binding, "app-1", "{\"endpoint\":\"/actuator/prometheus\",\"scrape\":true}");
        assertThat(bind.status()).as(bind.body()).isEqualTo(201);
        assertThat(bind.json().path("credentials").path("endpoint").asText()).isEqualTo("/actuator/prometheus");
        assertThat(bind.json().path("credentials").path("scrape").asBoolean()).isTrue();

        Answer again = osb.bind(instance, binding, "app-1", "{\"endpoint\":\"/actuator/prometheus\",\"scrape\":true}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(bind.json());
    }

    @Test
    void rebindingTheSameIdDifferentlyIs409() throws Exception {
        String binding = UUID.randomUUID().toString();
        assertThat(osb.bind(instance, binding, "app-2", "{\"endpoint\":\"/a\"}").status()).isEqualTo(201);

        refused(409, "PUT", bindingPath(binding), bindBody("app-2", "{\"endpoint\":\"/b\"}"));
        refused(409, "PUT", bindingPath(binding), bindBody("another-app", "{\"endpoint\":\"/a\"}"));
    }

    @Test
    void bindingWithoutAnAppIs422RequiresApp() throws Exception {
        JsonNode error = refused(422, "PUT", bindingPath(UUID.randomUUID().toString()),
                "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"bind_resource\":{\"route\":\"x.example.com\"}}");
        assertThat(error.path("error").asText()).isEqualTo("RequiresApp");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "{\"endpoint\":\"http://evil.example.com/metrics\"}",
        "{\"endpoint\":\"//evil.example.com/metrics\"}",
        "{\"endpoint\":\"/a/../../admin\"}",
        "{\"endpoint\":\"/a/%2e%2e/admin\"}",
        "{\"endpoint\":\"/metrics\\r\\nHost: evil\"}",
        "{\"endpoint\":\"/x%0d%0aHost:%20evil\"}",
        "{\"endpoint\":\"metrics\"}",
        "{\"endpoint\":\"\"}",
        "{\"endpoint\":\"/user@evil\"}",
        "{\"endpoint\":42}",
        "{\"scrape\":\"false\"}",
        "{\"endpiont\":\"/metrics\"}",
        "[\"/metrics\"]",
        "\"/metrics\"",
    })
    void aHostileOrMistypedBindingParameterIs400WithTheReason(String parameters) throws Exception {
        JsonNode error = refused(400, "PUT", bindingPath(UUID.randomUUID().toString()), bindBody("app-3", parameters));
        assertThat(error.path("error").asText()).isEqualTo("InvalidParameters");
    }

    @Test
    void aTooLongEndpointIs400() throws Exception {
        refused(400, "PUT", bindingPath(UUID.randomUUID().toString()), bindBody("app-3", "{\"endpoint\":\"/" + "a".repeat(1100) + "\"}"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "{not json",
        "{\"service_id\":\"" + S + "\",\"bind_resource\":{\"app_guid\":\"a\"}}",
        "{\"service_id\":\"unknown\",\"plan_id\":\"" + P + "\",\"bind_resource\":{\"app_guid\":\"a\"}}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"unknown\",\"bind_resource\":{\"app_guid\":\"a\"}}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"bind_resource\":{\"app_guid\":\"\"}}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"bind_resource\":\"a\"}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"app_guid\":\"a\",\"bind_resource\":{\"app_guid\":\"b\"}}",
        "{\"service_id\":\"" + S + "\",\"plan_id\":\"" + P + "\",\"bind_resource\":{\"app_guid\":\"a\"}} trailing",
    })
    void aMalformedBindRequestIs400(String body) throws Exception {
        refused(400, "PUT", bindingPath(UUID.randomUUID().toString()), body);
    }

    @Test
    void aBindingIsFetchedWithItsParametersAndAnUnknownOneIs404() throws Exception {
        String binding = UUID.randomUUID().toString();
        osb.bind(instance, binding, "app-4", "{\"endpoint\":\"/prom\"}");

        Answer fetched = osb.fetchBinding(instance, binding);
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json().path("parameters").path("endpoint").asText()).isEqualTo("/prom");
        assertThat(fetched.json().path("credentials").path("endpoint").asText()).isEqualTo("/prom");

        assertThat(osb.fetchBinding(instance, UUID.randomUUID().toString()).status()).isEqualTo(404);
        assertThat(osb.fetchBinding(UUID.randomUUID().toString(), binding).status()).as("another instance's binding").isEqualTo(404);
    }

    @Test
    void unbindingIs200ThenGone410() throws Exception {
        String binding = UUID.randomUUID().toString();
        osb.bind(instance, binding, "app-5", null);

        Answer unbind = osb.unbind(instance, binding);
        assertThat(unbind.status()).isEqualTo(200);
        assertThat(unbind.body()).isEqualTo("{}");
        assertThat(osb.unbind(instance, binding).status()).isEqualTo(410);
        assertThat(osb.fetchBinding(instance, binding).status()).isEqualTo(404);
    }

    @Test
    void unbindingWithoutServiceAndPlanIs400() throws Exception {
        String binding = UUID.randomUUID().toString();
        osb.bind(instance, binding, "app-6", null);

        refused(400, "DELETE", bindingPath(binding) + "?plan_id=" + P, null);
        assertThat(osb.fetchBinding(instance, binding).status()).isEqualTo(200);
    }

    @Test
    void anInstanceTheBrokerNeverSawIsAdoptedByItsFirstBind() throws Exception {
        String unseen = UUID.randomUUID().toString();
        assertThat(osb.bind(unseen, "b-" + unseen, "app-7", "{\"endpoint\":\"/m\"}").status()).isEqualTo(201);
        assertThat(osb.deprovision(unseen).status()).isEqualTo(200);
    }

    @Test
    void lastOperationSaysSucceededForWhatExistsAndGoneForTheRest() throws Exception {
        String binding = UUID.randomUUID().toString();
        osb.bind(instance, binding, "app-8", null);

        assertThat(osb.send("GET", "/v2/service_instances/" + instance + "/last_operation", null).json().path("state").asText())
                .isEqualTo("succeeded");
        assertThat(osb.send("GET", bindingPath(binding) + "/last_operation", null).status()).isEqualTo(200);
        assertThat(osb.send("GET", "/v2/service_instances/" + UUID.randomUUID() + "/last_operation", null).status()).isEqualTo(410);
    }

    // ---- what every call checks first ------------------------------------------------------

    @Test
    void wrongOrMissingCredentialsAre401WithAChallenge() throws Exception {
        for (Map<String, String> headers : java.util.List.of(
                Map.of("X-Broker-API-Version", "2.17"),
                Map.of("X-Broker-API-Version", "2.17", "Authorization", OsbClient.basic(OsbClient.USER, "wrong")),
                Map.of("X-Broker-API-Version", "2.17", "Authorization", "Bearer " + OsbClient.PASSWORD))) {
            String before = stored();
            Answer answer = osb.send("PUT", bindingPath("b-401"), bindBody("app-9", null), headers);
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.response().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(answer.json().path("description").asText()).isNotBlank();
            assertThat(stored()).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "[{index}] X-Broker-API-Version: {0}")
    @ValueSource(strings = {"", "2.12", "1.14", "3.0", "two", "2"})
    void aMissingOrOlderApiVersionIs412(String version) throws Exception {
        Map<String, String> headers = new HashMap<>(Map.of("Authorization", OsbClient.basic(OsbClient.USER, OsbClient.PASSWORD)));
        if (!version.isEmpty()) {
            headers.put("X-Broker-API-Version", version);
        }
        refused(412, "PUT", bindingPath("b-412"), bindBody("app-10", null), headers);
    }

    @Test
    void apiVersions213To217AreAccepted() throws Exception {
        for (String version : new String[] {"2.13", "2.14", "2.15", "2.16", "2.17"}) {
            Answer answer = osb.send("GET", "/v2/catalog", null, Map.of("Authorization", OsbClient.basic(OsbClient.USER, OsbClient.PASSWORD),
                    "X-Broker-API-Version", version));
            assertThat(answer.status()).as(version).isEqualTo(200);
        }
    }

    @Test
    void theRequestIdentityIsEchoed() throws Exception {
        Answer answer = osb.send("GET", "/v2/catalog", null, Map.of("Authorization", OsbClient.basic(OsbClient.USER, OsbClient.PASSWORD),
                "X-Broker-API-Version", "2.17", "X-Broker-API-Request-Identity", "req-123"));
        assertThat(answer.response().headers().firstValue("X-Broker-API-Request-Identity")).hasValue("req-123");
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        refused(404, "GET", "/v2/nothing", null);
        refused(404, "GET", "/v2/service_instances/" + instance + "/other", null);
        JsonNode error = refused(405, "GET", "/v2/service_instances/" + instance, null);
        assertThat(error.path("error").asText()).isEqualTo("MethodNotAllowed");
        refused(405, "PUT", "/v2/catalog", "{}");
        Answer post = osb.send("POST", "/v2/catalog", "{}");
        assertThat(post.status()).as("methods the route does not declare").isEqualTo(405);
    }

    @Test
    void badIdsAContentTypeOtherThanJsonAndABadAcceptsIncompleteAre400() throws Exception {
        refused(400, "PUT", "/v2/service_instances/" + instance + "/service_bindings/" + "x%20y", bindBody("app-11", null));
        refused(400, "PUT", "/v2/service_instances/" + "a".repeat(256), "{}");
        refused(400, "PUT", bindingPath("b-ct"), bindBody("app-11", null), Map.of(
                "Authorization", OsbClient.basic(OsbClient.USER, OsbClient.PASSWORD), "X-Broker-API-Version", "2.17",
                "Content-Type", "application/x-www-form-urlencoded"));
        refused(400, "PUT", bindingPath("b-ai") + "?accepts_incomplete=maybe", bindBody("app-11", null));
        refused(400, "PUT", bindingPath("b-empty"), "");
    }
}
