package io.promfetcher.broker;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.api.Endpoint;
import io.promfetcher.api.Reply;
import io.promfetcher.api.Request;
import io.promfetcher.routes.RoutesAccess;
import io.promfetcher.routes.RoutesSettings;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Open Service Broker API (2.17, synchronous operations only) under {@code /broker}:
 * <pre>
 *   GET    /broker/v2/catalog
 *   PUT    /broker/v2/service_instances/{instance_id}                             provision
 *   PATCH  /broker/v2/service_instances/{instance_id}                             update
 *   DELETE /broker/v2/service_instances/{instance_id}?service_id&amp;plan_id          deprovision
 *   PUT    /broker/v2/service_instances/{instance_id}/service_bindings/{binding_id}  bind
 *   GET    /broker/v2/service_instances/{instance_id}/service_bindings/{binding_id}  fetch a binding
 *   DELETE /broker/v2/service_instances/{instance_id}/service_bindings/{binding_id}?service_id&amp;plan_id  unbind
 *   GET    …/last_operation of an instance or a binding (never needed: nothing is asynchronous)
 * </pre>
 * Each call is checked in the spec's order of concerns, cheapest first and on the event loop:
 * basic auth (401), {@code X-Broker-API-Version} 2.13 or later (412), the route and method (404,
 * 405), the request itself (400, 422); only then does it go to the database, on the broker's own
 * bounded executor (full: 503). A refused request changes nothing.
 */
final class BrokerEndpoint implements Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerEndpoint.class);
    static final String API_VERSION = "X-Broker-API-Version";
    static final String REQUEST_IDENTITY = "X-Broker-API-Request-Identity";
    static final String ORIGINATING_IDENTITY = "X-Broker-API-Originating-Identity";
    /** The oldest API version whose semantics this broker follows. */
    static final int MIN_MINOR_VERSION = 13;
    private static final String CHALLENGE = "Basic realm=\"promfetcher service broker\", charset=\"UTF-8\"";
    /** Ids are GUIDs on every platform; the spec recommends RFC 3986 unreserved characters. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1,255}");
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);

    private final Catalog catalog;
    private final byte[] catalogJson;
    private final BindingStore store;
    private final Executor executor;
    /** Runs before any database work: the schema exists (migrated once per process). */
    private final Runnable prepare;
    /** Runs after a change has been committed: this gateway uses it at once. */
    private final Runnable changed;
    private final RoutesAccess access;

    BrokerEndpoint(Catalog catalog, BindingStore store, Executor executor, Runnable prepare, Runnable changed,
                   String user, String password) {
        this.catalog = catalog;
        this.catalogJson = catalog.json();
        this.store = store;
        this.executor = executor;
        this.prepare = prepare;
        this.changed = changed;
        // The same constant-time basic-auth check as /routes, with the broker's own credentials.
        this.access = new RoutesAccess(new RoutesSettings.RoutesEndpoint(true, Optional.of(user), Optional.of(password)));
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        Optional<String> requestIdentity = request.header(REQUEST_IDENTITY);
        CompletionStage<Reply> reply;
        try {
            reply = route(request);
        } catch (OsbError.Refusal refusal) {
            Reply refused = error(refusal.error());
            for (Map.Entry<String, String> h : refusal.headers().entrySet()) {
                refused = refused.withHeader(h.getKey(), h.getValue());
            }
            reply = CompletableFuture.completedFuture(refused);
        }
        CompletionStage<Reply> answer = reply;
        return requestIdentity.map(id -> answer.thenApply(r -> r.withHeader(REQUEST_IDENTITY, id))).orElse(answer);
    }

    private CompletionStage<Reply> route(Request request) throws OsbError.Refusal {
        if (access.decide(request.header("Authorization")) != RoutesAccess.Decision.ALLOW) {
            return done(error(new OsbError(HttpResponseStatus.UNAUTHORIZED, "Unauthorized",
                    "the broker's user and password are required (broker.user, broker.password)"))
                    .withHeader("WWW-Authenticate", CHALLENGE));
        }
        checkVersion(request.header(API_VERSION));
        List<String> path = segments(request.path());
        String method = request.method();
        if (path.equals(List.of("v2", "catalog"))) {
            allow(method, "GET");
            return done(json(HttpResponseStatus.OK, catalogJson));
        }
        if (path.size() < 3 || !path.get(0).equals("v2") || !path.get(1).equals("service_instances")) {
            throw notFound(request.path());
        }
        String instanceId = id(path.get(2), "instance_id");
        acceptsIncomplete(request);
        if (path.size() == 3) {
            allow(method, "PUT", "PATCH", "DELETE");
            return switch (method) {
                case "PUT" -> provision(request, instanceId);
                case "PATCH" -> update(request, instanceId);
                default -> deprovision(request, instanceId);
            };
        }
        if (path.size() == 4 && path.get(3).equals("last_operation")) {
            allow(method, "GET");
            return database(() -> store.instanceExists(instanceId) ? succeeded()
                    : error(gone("service instance " + instanceId + " does not exist")));
        }
        if (path.size() < 5 || !path.get(3).equals("service_bindings")) {
            throw notFound(request.path());
        }
        String bindingId = id(path.get(4), "binding_id");
        if (path.size() == 5) {
            allow(method, "PUT", "GET", "DELETE");
            return switch (method) {
                case "PUT" -> bind(request, instanceId, bindingId);
                case "GET" -> fetchBinding(instanceId, bindingId);
                default -> unbind(request, instanceId, bindingId);
            };
        }
        if (path.size() == 6 && path.get(5).equals("last_operation")) {
            allow(method, "GET");
            return database(() -> store.binding(instanceId, bindingId).isPresent() ? succeeded()
                    : error(gone("service binding " + bindingId + " does not exist")));
        }
        throw notFound(request.path());
    }

    // ---- the operations --------------------------------------------------------------------

    private CompletionStage<Reply> provision(Request request, String instanceId) throws OsbError.Refusal {
        Map<String, Object> body = jsonBody(request);
        checkServiceAndPlan(body, true);
        String org = requiredString(body, "organization_guid");
        String space = requiredString(body, "space_guid");
        noInstanceParameters(body, HttpResponseStatus.BAD_REQUEST);
        noMaintenanceInfo(body);
        ServiceInstance instance = new ServiceInstance(instanceId, catalog.serviceId(), catalog.planId(),
                Optional.of(org), Optional.of(space));
        return database(() -> switch (store.provision(instance)) {
            case CREATED -> {
                LOG.info("broker: service instance {} provisioned in org {} space {}{}", instanceId, org, space, by(request));
                yield json(HttpResponseStatus.CREATED, EMPTY_OBJECT);
            }
            case UNCHANGED -> json(HttpResponseStatus.OK, EMPTY_OBJECT);
            default -> error(conflict("service instance " + instanceId + " already exists with other attributes"));
        });
    }

    private CompletionStage<Reply> update(Request request, String instanceId) throws OsbError.Refusal {
        Map<String, Object> body = jsonBody(request);
        checkServiceAndPlan(body, false);
        noInstanceParameters(body, HttpResponseStatus.UNPROCESSABLE_ENTITY);
        noMaintenanceInfo(body);
        ServiceInstance instance = adoptable(instanceId, body);
        return database(() -> {
            if (store.update(instance) == BindingStore.Change.CREATED) {
                LOG.info("broker: service instance {} adopted on an update{}", instanceId, by(request));
            }
            return json(HttpResponseStatus.OK, EMPTY_OBJECT);
        });
    }

    private CompletionStage<Reply> deprovision(Request request, String instanceId) throws OsbError.Refusal {
        checkServiceAndPlanQuery(request);
        return database(() -> {
            if (store.deprovision(instanceId) == BindingStore.Change.GONE) {
                return error(gone("service instance " + instanceId + " does not exist"));
            }
            LOG.info("broker: service instance {} deprovisioned{}", instanceId, by(request));
            changed.run();
            return json(HttpResponseStatus.OK, EMPTY_OBJECT);
        });
    }

    private CompletionStage<Reply> bind(Request request, String instanceId, String bindingId) throws OsbError.Refusal {
        Map<String, Object> body = jsonBody(request);
        checkServiceAndPlan(body, true);
        String appGuid = appGuid(body);
        BindingParameters parameters = BindingParameters.from(OsbJson.get(body, "parameters"));
        ServiceBinding binding = new ServiceBinding(bindingId, instanceId, appGuid, parameters);
        ServiceInstance adopted = adoptable(instanceId, body);
        return database(() -> switch (store.bind(binding, adopted)) {
            case CREATED -> {
                LOG.info("broker: app {} bound (binding {}, instance {}): {}{}", appGuid, bindingId, instanceId,
                        parameters.asMap().isEmpty() ? "no parameters" : parameters.asMap(), by(request));
                changed.run();
                yield json(HttpResponseStatus.CREATED, OsbJson.write(Map.of("credentials", parameters.asMap())));
            }
            case UNCHANGED -> json(HttpResponseStatus.OK, OsbJson.write(Map.of("credentials", parameters.asMap())));
            default -> error(conflict("service binding " + bindingId + " already exists with other attributes "
                    + "(another app, instance or parameters); unbind it first"));
        });
    }

    private CompletionStage<Reply> fetchBinding(String instanceId, String bindingId) {
        return database(() -> store.binding(instanceId, bindingId)
                .map(b -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("credentials", b.parameters().asMap());
                    body.put("parameters", b.parameters().asMap());
                    return json(HttpResponseStatus.OK, OsbJson.write(body));
                })
                .orElseGet(() -> error(new OsbError(HttpResponseStatus.NOT_FOUND, "NotFound",
                        "service binding " + bindingId + " does not exist on service instance " + instanceId))));
    }

    private CompletionStage<Reply> unbind(Request request, String instanceId, String bindingId) throws OsbError.Refusal {
        checkServiceAndPlanQuery(request);
        return database(() -> {
            if (store.unbind(instanceId, bindingId) == BindingStore.Change.GONE) {
                return error(gone("service binding " + bindingId + " does not exist on service instance " + instanceId));
            }
            LOG.info("broker: binding {} of instance {} deleted{}", bindingId, instanceId, by(request));
            changed.run();
            return json(HttpResponseStatus.OK, EMPTY_OBJECT);
        });
    }

    /**
     * Runs database work on the broker's executor. Database trouble becomes 503: the request did
     * not complete, and repeating it is safe (every operation is idempotent).
     */
    private CompletionStage<Reply> database(Supplier<Reply> work) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    prepare.run();
                    return work.get();
                } catch (BrokerUnavailableException e) {
                    LOG.warn("broker: database unavailable: {}", e.getMessage());
                    return error(OsbError.unavailable("the broker's database is unavailable (" + e.getMessage()
                            + "); the request was not completed and can be repeated safely")).withHeader("Retry-After", "10");
                }
            }, executor);
        } catch (RejectedExecutionException e) {
            return done(error(OsbError.unavailable("the broker is busy with other requests; try again shortly"))
                    .withHeader("Retry-After", "1"));
        }
    }

    // ---- checks ----------------------------------------------------------------------------

    private static void checkVersion(Optional<String> header) throws OsbError.Refusal {
        String problem;
        if (header.isEmpty() || header.get().isBlank()) {
            problem = "the " + API_VERSION + " header is missing";
        } else {
            java.util.regex.Matcher m = VERSION.matcher(header.get().strip());
            if (!m.matches()) {
                problem = API_VERSION + " \"" + header.get().strip() + "\" is not MAJOR.MINOR";
            } else if (!m.group(1).equals("2") || Integer.parseInt(m.group(2)) < MIN_MINOR_VERSION) {
                problem = API_VERSION + " " + header.get().strip() + " is not supported";
            } else {
                return;
            }
        }
        throw new OsbError(HttpResponseStatus.PRECONDITION_FAILED, "UnsupportedApiVersion",
                problem + "; this broker implements the Open Service Broker API 2.17 and needs 2.13 or later").refusal();
    }

    private static void allow(String method, String... methods) throws OsbError.Refusal {
        if (!Set.of(methods).contains(method)) {
            String allow = String.join(", ", methods);
            throw new OsbError(HttpResponseStatus.METHOD_NOT_ALLOWED, "MethodNotAllowed",
                    method + " is not served here; " + allow + (methods.length == 1 ? " is" : " are")).refusal("Allow", allow);
        }
    }

    private static OsbError.Refusal notFound(String path) {
        return new OsbError(HttpResponseStatus.NOT_FOUND, "NotFound", "no such broker endpoint: " + path).refusal();
    }

    private static String id(String value, String name) throws OsbError.Refusal {
        if (!ID.matcher(value).matches()) {
            throw OsbError.badRequest(name + " must be 1 to 255 letters, digits, '-', '.', '_' or '~' (a GUID)").refusal();
        }
        return value;
    }

    private static void acceptsIncomplete(Request request) throws OsbError.Refusal {
        Optional<String> value = request.queryParameter("accepts_incomplete");
        if (value.isPresent() && !value.get().equals("true") && !value.get().equals("false")) {
            throw OsbError.badRequest("accepts_incomplete must be true or false").refusal();
        }
    }

    private static Map<String, Object> jsonBody(Request request) throws OsbError.Refusal {
        Optional<String> type = request.header("Content-Type");
        if (type.isPresent()) {
            String mediaType = type.get().split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
                throw OsbError.badRequest("Content-Type must be application/json, not " + type.get()).refusal();
            }
        }
        return OsbJson.object(request.body());
    }

    /** service_id and plan_id name this broker's service and plan; plan_id may be absent on updates. */
    private void checkServiceAndPlan(Map<String, Object> body, boolean planRequired) throws OsbError.Refusal {
        String serviceId = requiredString(body, "service_id");
        if (!serviceId.equals(catalog.serviceId())) {
            throw OsbError.badRequest("unknown service_id " + serviceId + "; this broker offers " + catalog.serviceId()).refusal();
        }
        Optional<String> planId = planRequired ? Optional.of(requiredString(body, "plan_id")) : optionalString(body, "plan_id");
        if (planId.isPresent() && !planId.get().equals(catalog.planId())) {
            throw OsbError.badRequest("unknown plan_id " + planId.get() + "; the plan of this service is " + catalog.planId()).refusal();
        }
    }

    private void checkServiceAndPlanQuery(Request request) throws OsbError.Refusal {
        for (Map.Entry<String, String> expected : Map.of("service_id", catalog.serviceId(), "plan_id", catalog.planId()).entrySet()) {
            Optional<String> given = request.queryParameter(expected.getKey()).filter(v -> !v.isEmpty());
            if (given.isEmpty()) {
                throw OsbError.badRequest("the query parameter " + expected.getKey() + " is required").refusal();
            }
            if (!given.get().equals(expected.getValue())) {
                throw OsbError.badRequest("unknown " + expected.getKey() + " " + given.get()).refusal();
            }
        }
    }

    /** The app, from bind_resource.app_guid or the deprecated top-level app_guid (422 RequiresApp without). */
    private static String appGuid(Map<String, Object> body) throws OsbError.Refusal {
        Optional<String> fromResource = Optional.empty();
        Optional<Object> resource = OsbJson.get(body, "bind_resource");
        if (resource.isPresent()) {
            if (!(resource.get() instanceof Map<?, ?> map)) {
                throw OsbError.badRequest("bind_resource must be a JSON object").refusal();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) map;
            fromResource = optionalString(fields, "app_guid");
        }
        Optional<String> topLevel = optionalString(body, "app_guid");
        if (fromResource.isPresent() && topLevel.isPresent() && !fromResource.equals(topLevel)) {
            throw OsbError.badRequest("app_guid and bind_resource.app_guid name different apps").refusal();
        }
        Optional<String> app = fromResource.or(() -> topLevel);
        if (app.isEmpty()) {
            throw new OsbError(HttpResponseStatus.UNPROCESSABLE_ENTITY, "RequiresApp",
                    "this service is bound to an app (bind_resource.app_guid): cf bind-service APP INSTANCE").refusal();
        }
        if (app.get().length() > 255 || app.get().chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw OsbError.badRequest("app_guid must be at most 255 printable characters").refusal();
        }
        return app.get();
    }

    private static void noInstanceParameters(Map<String, Object> body, HttpResponseStatus status) throws OsbError.Refusal {
        Optional<Object> parameters = OsbJson.get(body, "parameters");
        if (parameters.isPresent() && !(parameters.get() instanceof Map<?, ?> map && map.isEmpty())) {
            throw new OsbError(status, "InvalidParameters", "the service instance takes no parameters; give them when binding: "
                    + "cf bind-service APP INSTANCE -c '{\"endpoint\":\"/actuator/prometheus\"}'").refusal();
        }
    }

    /** The catalog declares no maintenance_info, so any version the platform sends cannot match it. */
    private static void noMaintenanceInfo(Map<String, Object> body) throws OsbError.Refusal {
        Optional<Object> info = OsbJson.get(body, "maintenance_info");
        if (info.isPresent()) {
            throw new OsbError(HttpResponseStatus.UNPROCESSABLE_ENTITY, "MaintenanceInfoConflict",
                    "this plan has no maintenance_info; fetch the broker's catalog again").refusal();
        }
    }

    /** The instance as the broker records it when a bind or an update names one it has not seen. */
    private ServiceInstance adoptable(String instanceId, Map<String, Object> body) {
        Map<String, Object> context = OsbJson.get(body, "context").filter(Map.class::isInstance)
                .map(c -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) c;
                    return m;
                }).orElse(Map.of());
        return new ServiceInstance(instanceId, catalog.serviceId(), catalog.planId(),
                stringIn(context, "organization_guid"), stringIn(context, "space_guid"));
    }

    private static Optional<String> stringIn(Map<String, Object> object, String key) {
        return OsbJson.get(object, key).filter(String.class::isInstance).map(String.class::cast).filter(s -> !s.isEmpty());
    }

    private static String requiredString(Map<String, Object> body, String key) throws OsbError.Refusal {
        return optionalString(body, key).orElseThrow(() -> OsbError.badRequest(key + " is required").refusal());
    }

    private static Optional<String> optionalString(Map<String, Object> body, String key) throws OsbError.Refusal {
        Optional<Object> value = OsbJson.get(body, key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!(value.get() instanceof String s) || s.isEmpty()) {
            throw OsbError.badRequest(key + " must be a non-empty string").refusal();
        }
        return Optional.of(s);
    }

    // ---- answers ---------------------------------------------------------------------------

    private static OsbError conflict(String description) {
        return new OsbError(HttpResponseStatus.CONFLICT, "Conflict", description);
    }

    private static OsbError gone(String description) {
        return new OsbError(HttpResponseStatus.GONE, "Gone", description);
    }

    private static Reply succeeded() {
        return json(HttpResponseStatus.OK, OsbJson.write(Map.of("state", "succeeded")));
    }

    private static Reply json(HttpResponseStatus status, byte[] body) {
        return Reply.json(status, body);
    }

    static Reply error(OsbError error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.error());
        body.put("description", error.description());
        return Reply.json(error.status(), OsbJson.write(body)).withNote("broker_error=" + error.error());
    }

    private static CompletionStage<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }

    /** Path segments after /broker/. */
    private static List<String> segments(String path) {
        String rest = path.startsWith("/broker/") ? path.substring("/broker/".length()) : path;
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        return List.of(rest.split("/", -1));
    }

    /** " by cloudfoundry user 683e…" when the platform says who asked (X-Broker-API-Originating-Identity). */
    private static String by(Request request) {
        Optional<String> header = request.header(ORIGINATING_IDENTITY);
        if (header.isEmpty()) {
            return "";
        }
        String[] parts = header.get().strip().split("\\s+", 2);
        String who = parts[0];
        if (parts.length == 2) {
            try {
                Map<String, Object> identity = OsbJson.object(Base64.getDecoder().decode(parts[1]));
                Object user = identity.get("user_id");
                if (user instanceof String s) {
                    who += " user " + s;
                }
            } catch (IllegalArgumentException | OsbError.Refusal unreadable) {
                // the identity is informative only
            }
        }
        return " by " + who.replaceAll("[\\r\\n]", "");
    }
}
