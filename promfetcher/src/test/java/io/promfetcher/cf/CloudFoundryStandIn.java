package io.promfetcher.cf;

import io.jsonwebtoken.Jwts;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A Cloud Controller and a UAA on two {@code mockwebserver3} servers, answering documents of the
 * shapes of the CAPI v3 and UAA API docs: the root document (UAA found from {@code links.uaa}),
 * {@code GET /v3/apps/{guid}} and {@code GET /v3/apps} as the caller's token sees them
 * (paginated), {@code GET /v3/processes?types=web}, {@code GET /v3/processes/{guid}/stats},
 * UAA's {@code POST /oauth/token} (client_credentials) and {@code GET /token_keys}, and
 * {@code errors} bodies for 401/403/404/429/5xx. Tokens are RS256 JWTs signed with the key
 * {@code /token_keys} publishes. Tests change what it answers through its public fields.
 */
public final class CloudFoundryStandIn implements AutoCloseable {
    public static final String CLIENT_ID = "promfetcher";
    public static final String CLIENT_SECRET = "s3cret";
    public static final String SPACE = "0645d3f8-5e6a-4b1c-9d2e-3f4a5b6c7d8e";

    /** One app as the Cloud Controller knows it. */
    public record App(String guid, String name, Map<String, String> annotations) {}

    /** One instance's stats, as {@code /v3/processes/{guid}/stats} lists it. */
    public record Stats(int index, String state, String host, int port, double cpu, long memory, long memoryQuota,
                        long disk, long diskQuota, long uptime) {}

    /** What a path answers besides its documents: normal, an error status with its errors body, slow, or not JSON. */
    public enum Mode { NORMAL, DOWN_503, RATE_LIMITED_429, SERVER_ERROR_500, SLOW, BAD_TYPES, MISSING_FIELDS, HUGE }

    public final MockWebServer cc = new MockWebServer();
    public final MockWebServer uaa = new MockWebServer();
    public final Map<String, App> apps = new ConcurrentHashMap<>();
    /** Caller token → the app GUIDs its holder can see. Unknown tokens get 401. */
    public final Map<String, Set<String>> visibility = new ConcurrentHashMap<>();
    /** App GUID → its web process GUIDs. */
    public final Map<String, List<String>> webProcesses = new ConcurrentHashMap<>();
    /** Process GUID → its instances' stats. */
    public final Map<String, List<Stats>> stats = new ConcurrentHashMap<>();
    public volatile Mode appMode = Mode.NORMAL;
    public volatile Mode appsListMode = Mode.NORMAL;
    public volatile Mode processesMode = Mode.NORMAL;
    public volatile Mode statsMode = Mode.NORMAL;
    public volatile Duration slowness = Duration.ofSeconds(5);
    public volatile int perPageCap = 2; // small pages, so every list is paginated
    /** Requests per path (without query), counted as they arrive. */
    public final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    /** Every Authorization header the Cloud Controller received. */
    public final List<String> authorizations = new CopyOnWriteArrayList<>();

    private final KeyPair keys;
    private String gatewayToken;

    public CloudFoundryStandIn() throws Exception {
        this(java.util.Optional.empty());
    }

    private final String scheme;

    /** @param tls when present, both servers answer HTTPS with the certificate this factory presents */
    public CloudFoundryStandIn(java.util.Optional<javax.net.ssl.SSLSocketFactory> tls) throws Exception {
        scheme = tls.isPresent() ? "https" : "http";
        tls.ifPresent(factory -> {
            cc.useHttps(factory);
            uaa.useHttps(factory);
        });
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        uaa.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return uaa(request);
            }
        });
        cc.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return cc(request);
            }
        });
        uaa.start();
        cc.start();
        gatewayToken = token("promfetcher", List.of("cloud_controller.admin_read_only"), Instant.now().plus(Duration.ofHours(12)));
    }

    /** http://127.0.0.1:port of the Cloud Controller (cf.api_url). */
    public String apiUrl() {
        return scheme + "://127.0.0.1:" + cc.getPort();
    }

    /** A UAA token with these scopes, signed with UAA's key. */
    public String token(String user, List<String> scopes, Instant expiry) {
        return Jwts.builder().header().keyId("key-1").and()
                .subject(user).claim("scope", scopes).claim("client_id", "cf").issuer(uaaUrl() + "/oauth/token")
                .issuedAt(new Date()).expiration(Date.from(expiry)).id(UUID.randomUUID().toString())
                .signWith(keys.getPrivate(), Jwts.SIG.RS256).compact();
    }

    /** A user token valid for an hour that can see these apps. */
    public String userWhoSees(String... appGuids) {
        String token = token("user-" + UUID.randomUUID(), List.of("openid", "cloud_controller.read"), Instant.now().plus(Duration.ofHours(1)));
        visibility.put(token, Set.of(appGuids));
        return token;
    }

    public String gatewayToken() {
        return gatewayToken;
    }

    public int count(String path) {
        AtomicInteger n = counts.get(path);
        return n == null ? 0 : n.get();
    }

    public void resetCounts() {
        counts.clear();
        authorizations.clear();
    }

    private String uaaUrl() {
        return scheme + "://127.0.0.1:" + uaa.getPort();
    }

    // ---------------------------------------------------------------- UAA

    private MockResponse uaa(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        counts.computeIfAbsent("uaa " + path, p -> new AtomicInteger()).incrementAndGet();
        if (path.equals("/oauth/token") && request.getMethod().equals("POST")) {
            String basic = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes());
            String body = request.getBody() == null ? "" : request.getBody().utf8();
            if (!basic.equals(request.getHeaders().get("Authorization")) || !body.contains("grant_type=client_credentials")) {
                return json(401, "{\"error\":\"unauthorized\",\"error_description\":\"Bad credentials\"}");
            }
            return json(200, "{\"access_token\":\"" + gatewayToken + "\",\"token_type\":\"bearer\",\"expires_in\":43199,"
                    + "\"scope\":\"cloud_controller.admin_read_only\",\"jti\":\"" + UUID.randomUUID() + "\"}");
        }
        if (path.equals("/token_keys")) {
            RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
            String pem = ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pub.getEncoded())
                    + "\n-----END PUBLIC KEY-----").replace("\n", "\\n"); // JSON-escaped newlines, as UAA sends them
            return json(200, "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"" + b64url(pub.getPublicExponent()) + "\",\"use\":\"sig\","
                    + "\"kid\":\"key-1\",\"alg\":\"RS256\",\"value\":\"" + pem + "\",\"n\":\"" + b64url(pub.getModulus()) + "\"}]}");
        }
        return json(404, "{\"error\":\"not_found\"}");
    }

    private static String b64url(BigInteger n) {
        byte[] bytes = n.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // ---------------------------------------------------------------- Cloud Controller

    private MockResponse cc(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        String auth = request.getHeaders().get("Authorization");
        counts.computeIfAbsent(path.startsWith("/v3/apps/") ? "/v3/apps/{guid}" : path.startsWith("/v3/processes/")
                ? "/v3/processes/{guid}/stats" : path, p -> new AtomicInteger()).incrementAndGet();
        if (path.equals("/")) {
            String api = apiUrl();
            return json(200, "{\"links\":{\"self\":{\"href\":\"" + api + "\"},"
                    + "\"bits_service\":null,"
                    + "\"cloud_controller_v2\":{\"href\":\"" + api + "/v2\",\"meta\":{\"version\":\"2.240.0\"}},"
                    + "\"cloud_controller_v3\":{\"href\":\"" + api + "/v3\",\"meta\":{\"version\":\"3.175.0\"}},"
                    + "\"network_policy_v0\":{\"href\":\"" + api + "/networking/v0/external\"},"
                    + "\"network_policy_v1\":{\"href\":\"" + api + "/networking/v1/external\"},"
                    + "\"login\":{\"href\":\"" + uaaUrl() + "\"},"
                    + "\"uaa\":{\"href\":\"" + uaaUrl() + "\"},"
                    + "\"credhub\":null,\"routing\":null,"
                    + "\"logging\":{\"href\":\"wss://doppler.example.com:443\"},"
                    + "\"log_cache\":{\"href\":\"https://log-cache.example.com\"},"
                    + "\"log_stream\":{\"href\":\"https://log-stream.example.com\"},"
                    + "\"app_ssh\":{\"href\":\"ssh.example.com:2222\",\"meta\":{\"host_key_fingerprint\":\"Y411oivJwZCUQnXHq83mdM5SKCK4ftyoSXI31RRe4Zs\",\"oauth_client\":\"ssh-proxy\"}}}}");
        }
        authorizations.add(auth == null ? "" : auth);
        String token = auth != null && auth.toLowerCase().startsWith("bearer ") ? auth.substring(7) : "";
        boolean gateway = token.equals(gatewayToken);
        if (!gateway && !visibility.containsKey(token)) {
            return error(401, "CF-InvalidAuthToken", 1000, "Invalid Auth Token");
        }
        if (path.startsWith("/v3/apps/")) {
            String guid = path.substring("/v3/apps/".length());
            Mode mode = appMode;
            if (mode != Mode.NORMAL) {
                return failing(mode, () -> appDoc(apps.getOrDefault(guid, new App(guid, "x", Map.of()))));
            }
            App app = apps.get(guid);
            if (app == null || !(gateway || visibility.get(token).contains(guid))) {
                return error(404, "CF-ResourceNotFound", 10010, "App not found");
            }
            return json(200, appDoc(app));
        }
        if (path.equals("/v3/apps")) {
            List<String> docs = new ArrayList<>();
            for (App app : new java.util.TreeMap<>(apps).values()) {
                if (gateway || visibility.get(token).contains(app.guid())) {
                    docs.add(appDoc(app));
                }
            }
            return failing(appsListMode, () -> page(request, "/v3/apps", docs));
        }
        if (path.equals("/v3/processes")) {
            List<String> docs = new ArrayList<>();
            new java.util.TreeMap<>(webProcesses).forEach((app, processes) -> processes.forEach(p -> docs.add(processDoc(p, app))));
            return failing(processesMode, () -> page(request, "/v3/processes", docs));
        }
        if (path.startsWith("/v3/processes/") && path.endsWith("/stats")) {
            String guid = path.substring("/v3/processes/".length(), path.length() - "/stats".length());
            List<Stats> list = stats.get(guid);
            if (list == null && statsMode == Mode.NORMAL) {
                return error(404, "CF-ResourceNotFound", 10010, "Process not found");
            }
            return failing(statsMode, () -> statsDoc(list == null ? List.of() : list));
        }
        return error(404, "CF-NotFound", 10000, "Unknown request");
    }

    private MockResponse failing(Mode mode, java.util.function.Supplier<String> document) {
        return switch (mode) {
            case NORMAL -> json(200, document.get());
            case DOWN_503 -> error(503, "CF-ServiceUnavailable", 10015, "Service unavailable");
            case RATE_LIMITED_429 -> error(429, "CF-RateLimitExceeded", 10013, "Rate Limit Exceeded");
            case SERVER_ERROR_500 -> error(500, "UnknownError", 10001, "An unknown error occurred.");
            case SLOW -> new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body(document.get()).headersDelay(slowness.toMillis(), TimeUnit.MILLISECONDS).build();
            // The right shape with a wrong type: "resources" an object, numbers as strings where lists are expected
            case BAD_TYPES -> json(200, "{\"pagination\":{\"total_results\":\"many\",\"total_pages\":{\"x\":1}},\"resources\":{\"guid\":7}}");
            case MISSING_FIELDS -> json(200, "{\"pagination\":{\"total_results\":1,\"total_pages\":1,\"first\":null,\"last\":null,\"next\":null,\"previous\":null},"
                    + "\"resources\":[{\"guid\":\"only-a-guid\"}]}");
            case HUGE -> json(200, huge());
        };
    }

    /** A syntactically valid document far larger than anything the gateway reads (40 MB). */
    private static String huge() {
        StringBuilder b = new StringBuilder(41 << 20);
        b.append("{\"pagination\":{\"total_results\":1,\"total_pages\":1},\"resources\":[],\"padding\":\"");
        b.append("x".repeat(40 << 20));
        return b.append("\"}").toString();
    }

    private String page(RecordedRequest request, String path, List<String> docs) {
        int page = Integer.parseInt(orDefault(request.getUrl().queryParameter("page"), "1"));
        int perPage = Math.min(perPageCap, Integer.parseInt(orDefault(request.getUrl().queryParameter("per_page"), "50")));
        int pages = Math.max(1, (docs.size() + perPage - 1) / perPage);
        List<String> slice = docs.subList(Math.min(docs.size(), (page - 1) * perPage), Math.min(docs.size(), page * perPage));
        String base = apiUrl() + path + "?per_page=" + perPage + "&page=";
        return "{\"pagination\":{\"total_results\":" + docs.size() + ",\"total_pages\":" + pages
                + ",\"first\":{\"href\":\"" + base + "1\"},\"last\":{\"href\":\"" + base + pages + "\"},"
                + "\"next\":" + (page < pages ? "{\"href\":\"" + base + (page + 1) + "\"}" : "null") + ","
                + "\"previous\":" + (page > 1 ? "{\"href\":\"" + base + (page - 1) + "\"}" : "null") + "},"
                + "\"resources\":[" + String.join(",", slice) + "]}";
    }

    private String appDoc(App app) {
        String api = apiUrl();
        StringBuilder annotations = new StringBuilder();
        app.annotations().forEach((k, v) -> annotations.append(annotations.length() == 0 ? "" : ",")
                .append('"').append(k).append("\":\"").append(v.replace("\"", "\\\"")).append('"'));
        return "{\"guid\":\"" + app.guid() + "\",\"created_at\":\"2026-03-17T21:41:30Z\",\"updated_at\":\"2026-06-08T16:41:26Z\","
                + "\"name\":\"" + app.name() + "\",\"state\":\"STARTED\","
                + "\"lifecycle\":{\"type\":\"buildpack\",\"data\":{\"buildpacks\":[\"java_buildpack\"],\"stack\":\"cflinuxfs4\"}},"
                + "\"relationships\":{\"space\":{\"data\":{\"guid\":\"" + SPACE + "\"}}},"
                + "\"metadata\":{\"labels\":{},\"annotations\":{" + annotations + "}},"
                + "\"links\":{\"self\":{\"href\":\"" + api + "/v3/apps/" + app.guid() + "\"},"
                + "\"space\":{\"href\":\"" + api + "/v3/spaces/" + SPACE + "\"},"
                + "\"processes\":{\"href\":\"" + api + "/v3/apps/" + app.guid() + "/processes\"}}}";
    }

    private String processDoc(String guid, String app) {
        String api = apiUrl();
        return "{\"guid\":\"" + guid + "\",\"type\":\"web\",\"command\":\"[PRIVATE DATA HIDDEN IN LISTS]\",\"instances\":3,"
                + "\"memory_in_mb\":256,\"disk_in_mb\":1024,\"log_rate_limit_in_bytes_per_second\":-1,"
                + "\"health_check\":{\"type\":\"port\",\"data\":{\"timeout\":null,\"invocation_timeout\":null}},"
                + "\"readiness_health_check\":{\"type\":\"process\",\"data\":{\"invocation_timeout\":null}},"
                + "\"relationships\":{\"app\":{\"data\":{\"guid\":\"" + app + "\"}},\"revision\":null},"
                + "\"metadata\":{\"labels\":{},\"annotations\":{}},"
                + "\"created_at\":\"2026-03-17T21:41:30Z\",\"updated_at\":\"2026-06-08T16:41:26Z\","
                + "\"links\":{\"self\":{\"href\":\"" + api + "/v3/processes/" + guid + "\"},"
                + "\"stats\":{\"href\":\"" + api + "/v3/processes/" + guid + "/stats\"},"
                + "\"app\":{\"href\":\"" + api + "/v3/apps/" + app + "\"}}}";
    }

    private static String statsDoc(List<Stats> list) {
        List<String> docs = new ArrayList<>();
        for (Stats s : list) {
            docs.add("{\"type\":\"web\",\"index\":" + s.index() + ",\"instance_guid\":\"" + UUID.nameUUIDFromBytes(("i" + s.index()).getBytes())
                    + "\",\"state\":\"" + s.state() + "\",\"routable\":true,"
                    + "\"usage\":{\"time\":\"2026-03-23T23:17:30.476314154Z\",\"cpu\":" + s.cpu() + ",\"cpu_entitlement\":0.01,"
                    + "\"mem\":" + s.memory() + ",\"disk\":" + s.disk() + ",\"log_rate\":0},"
                    + "\"host\":\"" + s.host() + "\",\"instance_internal_ip\":\"10.255.93.167\","
                    + "\"instance_ports\":[{\"external\":" + s.port() + ",\"internal\":8080,\"external_tls_proxy_port\":61002,\"internal_tls_proxy_port\":61003}],"
                    + "\"uptime\":" + s.uptime() + ",\"mem_quota\":" + s.memoryQuota() + ",\"disk_quota\":" + s.diskQuota()
                    + ",\"fds_quota\":16384,\"isolation_segment\":\"example_iso_segment\",\"details\":null}");
        }
        return "{\"resources\":[" + String.join(",", docs) + "]}";
    }

    private static MockResponse error(int status, String title, int code, String detail) {
        return json(status, "{\"errors\":[{\"detail\":\"" + detail + "\",\"title\":\"" + title + "\",\"code\":" + code + "}]}");
    }

    private static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json; charset=utf-8").body(body).build();
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    @Override
    public void close() throws Exception {
        cc.close();
        uaa.close();
    }
}
