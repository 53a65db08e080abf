package io.promfetcher.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Every setting the gateway reads, in one place: the loader rejects anything not listed here,
 * {@code --help} prints this list, and a test checks that the README and the example file
 * document each key.
 */
public final class Keys {
    private Keys() {}

    public static final Key<Integer> PORT = new Key<>("port", ValueType.PORT, 8085,
            "API port (merged app metrics, /metrics, /routes). PORT is used when set and PROMFETCHER_PORT is not, as on Cloud Foundry.");
    public static final Key<Integer> HEALTH_PORT = new Key<>("health_port", ValueType.PORT, 8080,
            "Health port: GET /health (200 healthy, 503 draining) and GET /ready.");
    public static final Key<String> LISTEN_ADDRESS = new Key<>("listen_address", ValueType.STRING, "0.0.0.0",
            "Address both ports bind to.");
    public static final Key<Duration> SHUTDOWN_TIMEOUT = new Key<>("shutdown_timeout",
            ValueType.duration(Duration.ZERO, Duration.ofMinutes(10)), Duration.ofSeconds(15),
            "On SIGTERM, SIGINT or SIGUSR1: how long in-flight requests may take to finish before the process exits anyway.");

    public static final Key<Long> HTTP_MAX_HEADER_SIZE = new Key<>("http.max_header_size",
            ValueType.size(1024, 1L << 20), 16L * 1024,
            "Largest request line plus headers accepted; larger requests get 431.");
    public static final Key<Integer> HTTP_MAX_CONCURRENT_REQUESTS = new Key<>("http.max_concurrent_requests",
            ValueType.integer(1, 100_000), 256,
            "API requests served at once; beyond it the gateway answers 503 with Retry-After rather than queue without bound.");
    public static final Key<Duration> HTTP_HEADER_TIMEOUT = new Key<>("http.header_timeout",
            ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(10),
            "Time a client has to send one whole request, from its first byte to its last; a slower one gets 408 and is closed.");
    public static final Key<Duration> HTTP_IDLE_TIMEOUT = new Key<>("http.idle_timeout",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(120),
            "A connection with no request in flight for this long is closed (Prometheus scrapes far more often), and so is one that takes none of an answer being sent for this long (a stalled reader).");
    public static final Key<Integer> HTTP_MAX_CONNECTIONS = new Key<>("http.max_connections",
            ValueType.integer(1, 1_000_000), 10_000,
            "Open connections per port; a connection beyond it is answered 503 and closed.");
    public static final Key<Integer> HTTP_GZIP_LEVEL = new Key<>("http.gzip_level",
            ValueType.integer(1, 9), 1,
            "gzip level for responses to callers that accept gzip (Prometheus always does). 1 compresses merged expositions about 9 times faster than 6 for a body about 16% larger (docs/benchmarks.md).");

    public static final Key<String> LOG_FORMAT = new Key<>("log.format", ValueType.oneOf("text", "json"), "text",
            "Log format on stdout: text (one readable line per event) or json (one JSON object per line).");
    public static final Key<String> LOG_LEVEL = new Key<>("log.level",
            ValueType.oneOf("trace", "debug", "info", "warn", "error"), "info",
            "Least severe level logged.");
    public static final Key<Boolean> LOG_ACCESS = new Key<>("log.access", ValueType.BOOLEAN, true,
            "One access-log line per API request (method, path without credentials, status, bytes, duration).");

    public static final Key<List<URI>> NATS_SERVERS = new Key<>("nats.servers", ValueType.urls("nats", "tls"),
            List.of(URI.create("nats://127.0.0.1:4222")),
            "NATS servers carrying the router's route announcements, comma-separated nats:// or tls:// URLs.");
    public static final Key<String> NATS_USER = new Key<>("nats.user", ValueType.STRING, "",
            "NATS user name (cf-deployment: nats.user of the nats/nats-tls link).");
    public static final Key<String> NATS_PASSWORD = new Key<>("nats.password", ValueType.SECRET, "",
            "NATS password.");
    public static final Key<String> NATS_TOKEN = new Key<>("nats.token", ValueType.SECRET, "",
            "NATS authentication token (instead of user and password).");
    public static final Key<String> NATS_TLS_CA_FILE = new Key<>("nats.tls.ca_file", ValueType.PEM_FILE, "",
            "PEM file of the CA that signed the NATS servers' certificates; empty uses the JVM's trust store.");
    public static final Key<String> NATS_TLS_CERT_FILE = new Key<>("nats.tls.cert_file", ValueType.PEM_FILE, "",
            "PEM client certificate for mutual TLS (nats-tls in cf-deployment requires it).");
    public static final Key<String> NATS_TLS_KEY_FILE = new Key<>("nats.tls.key_file", ValueType.PEM_FILE, "",
            "PEM private key of the client certificate.");

    public static final Key<Duration> NATS_RECONNECT_WAIT = new Key<>("nats.reconnect_wait",
            ValueType.duration(Duration.ofMillis(10), Duration.ofMinutes(5)), Duration.ofSeconds(1),
            "Pause between reconnection attempts; the gateway reconnects forever.");
    public static final Key<Duration> NATS_CONNECT_TIMEOUT = new Key<>("nats.connect_timeout",
            ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(5)), Duration.ofSeconds(5),
            "Time one connection attempt may take.");

    public static final Key<Duration> ROUTES_STALE_THRESHOLD = new Key<>("routes.stale_threshold",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofSeconds(120)), Duration.ofSeconds(120),
            "Default and cap of an endpoint's stale threshold: not re-announced within it, it is pruned (a message may ask for less).");
    public static final Key<Duration> ROUTES_PRUNE_INTERVAL = new Key<>("routes.prune_interval",
            ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(30),
            "How often stale endpoints are swept out of the route table.");
    public static final Key<Duration> ROUTES_REGISTER_INTERVAL = new Key<>("routes.register_interval",
            ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(20),
            "How often emitters re-announce every route (cf-deployment: 20s): the warm-up after start and the grace period after a NATS reconnection.");
    public static final Key<Boolean> ROUTES_SUBSCRIBE_ROUTER_START = new Key<>("routes.subscribe_router_start",
            ValueType.BOOLEAN, true,
            "Listen to router.start to log and count router (re)starts.");
    public static final Key<Boolean> ROUTES_PUBLISH_ROUTER_START = new Key<>("routes.publish_router_start",
            ValueType.BOOLEAN, false,
            "Publish our own router.start on each (re)connection so emitters re-announce at once (faster warm-up, but every emitter adopts the intervals we advertise).");
    public static final Key<Integer> ROUTES_MAX_URIS_PER_INSTANCE = new Key<>("routes.max_uris_per_instance",
            ValueType.integer(1, 100_000), 100,
            "Routes kept for one instance; more announced are refused and counted (reason too_many_uris). Route-emitter sends one per message.");
    public static final Key<Integer> ROUTES_MAX_INSTANCES_PER_APP = new Key<>("routes.max_instances_per_app",
            ValueType.integer(1, 1_000_000), 10_000,
            "Instances kept for one app; a new one beyond it is refused and counted (reason too_many_instances).");
    public static final Key<Integer> ROUTES_MAX_INSTANCES = new Key<>("routes.max_instances",
            ValueType.integer(0, 100_000_000), 0,
            "Endpoints (app instances and BOSH components) the route table holds (0: one per KiB of a quarter of the heap); a new one beyond it is refused and counted (reason table_full).");
    public static final Key<Boolean> ROUTES_API_ENABLED = new Key<>("routes.api.enabled", ValueType.BOOLEAN, true,
            "Serve GET /routes, the status page (GET /) and the explanations (.../explain): they reveal the foundation's topology.");
    public static final Key<String> ROUTES_API_USER = new Key<>("routes.api.user", ValueType.STRING, "",
            "Basic-auth user required for GET /routes, the status page and the explanations; empty leaves them open.");
    public static final Key<String> ROUTES_API_PASSWORD = new Key<>("routes.api.password", ValueType.SECRET, "",
            "Basic-auth password for GET /routes, the status page and the explanations.");
    public static final Key<Boolean> ROUTES_SUBSCRIBE_INTERNAL_ROUTES = new Key<>("routes.subscribe_internal_routes",
            ValueType.BOOLEAN, true,
            "Listen to route-emitter's internal routes (service-discovery.register) so explanations can say that an app has only internal routes.");

    public static final Key<Duration> SCRAPE_INSTANCE_TIMEOUT = new Key<>("scrape.instance_timeout",
            ValueType.duration(Duration.ofMillis(10), Duration.ofMinutes(10)), Duration.ofSeconds(10),
            "Time one instance may take, connection to last body byte, when the caller sends no X-Prometheus-Scrape-Timeout-Seconds.");
    public static final Key<Duration> SCRAPE_TIMEOUT_MARGIN = new Key<>("scrape.timeout_margin",
            ValueType.duration(Duration.ZERO, Duration.ofMinutes(1)), Duration.ofMillis(500),
            "Taken off the caller's scrape timeout (and off the timeout passed down to instances) so answers arrive in time to be merged.");
    public static final Key<Long> SCRAPE_MAX_BODY_SIZE = new Key<>("scrape.max_body_size",
            ValueType.size(1024, 1L << 30), 50L << 20,
            "Largest instance body accepted, counted after gzip decoding; beyond it the instance fails with reason too_large.");
    public static final Key<Long> SCRAPE_MAX_BUFFERED_BYTES = new Key<>("scrape.max_buffered_bytes",
            ValueType.size(0, 1L << 40), 0L,
            "Memory instance bodies (being received, and waiting to be merged) and merged output take together, all requests counted (0: half the heap); what does not fit fails that instance with too_large instead of the gateway running out of memory. Must hold one scrape.max_body_size.");
    public static final Key<Integer> SCRAPE_MAX_CONNECTIONS_PER_INSTANCE = new Key<>("scrape.max_connections_per_instance",
            ValueType.integer(1, 1024), 2,
            "Connections (and so concurrent scrapes) to one instance.");
    public static final Key<Integer> SCRAPE_MAX_CONCURRENT_SCRAPES = new Key<>("scrape.max_concurrent_scrapes",
            ValueType.integer(1, 1_000_000), 1024,
            "Instance scrapes in flight over all requests.");
    public static final Key<Integer> SCRAPE_MAX_CONCURRENT_SCRAPES_PER_REQUEST = new Key<>("scrape.max_concurrent_scrapes_per_request",
            ValueType.integer(1, 100_000), 64,
            "Instance scrapes in flight for one request, so one app with many instances cannot take every slot.");
    public static final Key<Duration> SCRAPE_IDLE_CONNECTION_TIMEOUT = new Key<>("scrape.idle_connection_timeout",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(90),
            "An idle pooled connection to an instance is closed after this.");
    public static final Key<Integer> SCRAPE_MAX_IDLE_CONNECTIONS = new Key<>("scrape.max_idle_connections",
            ValueType.integer(0, 1_000_000), 8192,
            "Idle keep-alive connections to instances kept over all instances; beyond it a connection is closed after its scrape. Keep it well below the process's file descriptor limit.");
    public static final Key<String> SCRAPE_TLS_CA_FILE = new Key<>("scrape.tls.ca_file", ValueType.PEM_FILE, "",
            "PEM CA that signed the instances' certificates (Diego's instance identity CA); empty uses the JVM's trust store.");
    public static final Key<String> SCRAPE_TLS_CERT_FILE = new Key<>("scrape.tls.cert_file", ValueType.PEM_FILE, "",
            "PEM client certificate presented to instances that require mutual TLS.");
    public static final Key<String> SCRAPE_TLS_KEY_FILE = new Key<>("scrape.tls.key_file", ValueType.PEM_FILE, "",
            "PEM private key of the client certificate.");
    public static final Key<String> SCRAPE_FORWARDED_HEADERS = new Key<>("scrape.forwarded_headers", ValueType.STRING, "",
            "Caller headers forwarded to the requested app's instances besides Authorization, comma-separated (hop-by-hop and Proxy-* never are).");


    // Cloud Foundry API (issue 11): nothing below is active while cf.api_url is empty.
    public static final Key<String> CF_API_URL = new Key<>("cf.api_url", ValueType.optionalUrl("https", "http"), "",
            "Cloud Controller API root (https://api.sys.example.com); UAA is found from its root document. Empty: no Cloud Foundry API use, the gateway behaves as without it.");
    public static final Key<String> CF_CLIENT_ID = new Key<>("cf.client_id", ValueType.STRING, "",
            "UAA client of the gateway's own (client_credentials grant) for app metadata and process stats; it needs cloud_controller.admin_read_only or cloud_controller.global_auditor.");
    public static final Key<String> CF_CLIENT_SECRET = new Key<>("cf.client_secret", ValueType.SECRET, "",
            "Secret of cf.client_id.");
    public static final Key<String> CF_CA_FILE = new Key<>("cf.ca_file", ValueType.PEM_FILE, "",
            "PEM CA of the Cloud Controller's and UAA's certificates; empty uses the JVM's trust store.");
    public static final Key<Boolean> CF_SKIP_SSL_VALIDATION = new Key<>("cf.skip_ssl_validation", ValueType.BOOLEAN, false,
            "Accept any certificate from the Cloud Controller and UAA (test foundations only: tokens then travel to whoever answers).");
    public static final Key<Integer> CF_MAX_CONCURRENT_REQUESTS = new Key<>("cf.max_concurrent_requests",
            ValueType.integer(1, 1000), 8,
            "Requests to the Cloud Controller and UAA in flight at once; more wait, and fail with the request timeout.");
    public static final Key<Integer> CF_MAX_REQUESTS_PER_SECOND = new Key<>("cf.max_requests_per_second",
            ValueType.integer(1, 100_000), 20,
            "Requests started per second towards the Cloud Controller and UAA (bursts up to one second's worth).");
    public static final Key<Duration> CF_REQUEST_TIMEOUT = new Key<>("cf.request_timeout",
            ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(5)), Duration.ofSeconds(10),
            "Time one Cloud Controller or UAA request may take, waiting for its turn included.");
    public static final Key<Duration> CF_METADATA_REFRESH = new Key<>("cf.metadata_refresh",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(24)), Duration.ofSeconds(60),
            "How often the apps' annotations (prometheus.io/scrape, prometheus.io/path) are read again.");
    public static final Key<Boolean> CF_CONTAINER_METRICS = new Key<>("cf.container_metrics", ValueType.BOOLEAN, true,
            "Add each instance's container metrics (cf_container_*, from the process stats) to .../metrics answers; only with cf.api_url.");
    public static final Key<Duration> CF_STATS_TTL = new Key<>("cf.stats_ttl",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(15),
            "How long one process's stats are reused: at most one stats request per process in this time.");
    public static final Key<String> AUTH_MODE = new Key<>("auth.mode", ValueType.oneOf("none", "cf"), "none",
            "none: anyone reaching the port reads every app. cf: app endpoints need a UAA bearer token that can see the app in the Cloud Controller; /routes needs an admin-read scope. Needs cf.api_url.");
    public static final Key<Duration> AUTH_CACHE_TTL = new Key<>("auth.cache_ttl",
            ValueType.duration(Duration.ZERO, Duration.ofHours(1)), Duration.ofSeconds(60),
            "How long a Cloud Controller answer about a (token, app) pair is reused, never past the token's expiry.");
    public static final Key<String> AUTH_APP_AUTHORIZATION_HEADER = new Key<>("auth.app_authorization_header",
            ValueType.STRING, "X-App-Authorization",
            "In auth.mode cf: the caller header whose value reaches the app's instances as Authorization (the caller's own Authorization never does).");

    // The service broker (README "Service broker"): app developers bind the gateway to their app.
    public static final Key<Boolean> BROKER_ENABLED = new Key<>("broker.enabled", ValueType.BOOLEAN, false,
            "Serve the Open Service Broker API under /broker on the API port, so developers say where their app's metrics are by binding it (needs broker.user and broker.password).");
    public static final Key<String> BROKER_USER = new Key<>("broker.user", ValueType.STRING, "",
            "Basic-auth user the platform registers the broker with (cf create-service-broker); required when the broker is enabled.");
    public static final Key<String> BROKER_PASSWORD = new Key<>("broker.password", ValueType.SECRET, "",
            "Basic-auth password of the broker; required, and not empty, when the broker is enabled.");
    public static final Key<String> BROKER_DATABASE_URL = new Key<>("broker.database_url", ValueType.STRING,
            "jdbc:h2:file:./promfetcher-broker",
            "JDBC URL of the bindings' database: jdbc:postgresql://host:5432/db, shared by every gateway, or an embedded H2 file (jdbc:h2:file:PATH, one gateway only; the default is relative to the working directory).");
    public static final Key<String> BROKER_DATABASE_USER = new Key<>("broker.database_user", ValueType.STRING, "",
            "Database user (PostgreSQL); empty for the embedded database.");
    public static final Key<String> BROKER_DATABASE_PASSWORD = new Key<>("broker.database_password", ValueType.SECRET, "",
            "Database password.");
    public static final Key<Duration> BROKER_DATABASE_TIMEOUT = new Key<>("broker.database_timeout",
            ValueType.duration(Duration.ofMillis(250), Duration.ofMinutes(1)), Duration.ofSeconds(5),
            "Time to get a PostgreSQL connection; beyond it broker calls answer 503 (the platform's own timeout is 60s) and scrapes keep the bindings already loaded. The embedded database gets at least 30s to open its file.");
    public static final Key<Duration> BROKER_REFRESH_INTERVAL = new Key<>("broker.refresh_interval",
            ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(10),
            "How often each gateway asks the database whether bindings changed (one single-row read); a change made through any gateway is used by all within it.");
    public static final Key<String> BROKER_SERVICE_ID = new Key<>("broker.service_id", ValueType.STRING,
            "75bcebab-cc25-4ef6-89dc-a91b953919f1",
            "Catalog id of the service offering 'promfetcher' (the Go promfetcher's, so a foundation can switch brokers).");
    public static final Key<String> BROKER_PLAN_ID = new Key<>("broker.plan_id", ValueType.STRING,
            "e2900be3-709b-419e-b63b-de3aabcd9e15",
            "Catalog id of its plan 'fetch-app'.");

    public static final List<Key<?>> ALL = List.of(
            PORT, HEALTH_PORT, LISTEN_ADDRESS, SHUTDOWN_TIMEOUT,
            HTTP_MAX_HEADER_SIZE, HTTP_MAX_CONCURRENT_REQUESTS, HTTP_HEADER_TIMEOUT, HTTP_IDLE_TIMEOUT, HTTP_MAX_CONNECTIONS,
            HTTP_GZIP_LEVEL,
            LOG_FORMAT, LOG_LEVEL, LOG_ACCESS,
            NATS_SERVERS, NATS_USER, NATS_PASSWORD, NATS_TOKEN,
            NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE, NATS_RECONNECT_WAIT, NATS_CONNECT_TIMEOUT,
            ROUTES_STALE_THRESHOLD, ROUTES_PRUNE_INTERVAL, ROUTES_REGISTER_INTERVAL,
            ROUTES_SUBSCRIBE_ROUTER_START, ROUTES_PUBLISH_ROUTER_START,
            ROUTES_MAX_URIS_PER_INSTANCE, ROUTES_MAX_INSTANCES_PER_APP, ROUTES_MAX_INSTANCES,
            ROUTES_API_ENABLED, ROUTES_API_USER, ROUTES_API_PASSWORD,
            ROUTES_SUBSCRIBE_INTERNAL_ROUTES,
            SCRAPE_INSTANCE_TIMEOUT, SCRAPE_TIMEOUT_MARGIN, SCRAPE_MAX_BODY_SIZE, SCRAPE_MAX_BUFFERED_BYTES,
            SCRAPE_MAX_CONNECTIONS_PER_INSTANCE, SCRAPE_MAX_CONCURRENT_SCRAPES, SCRAPE_MAX_CONCURRENT_SCRAPES_PER_REQUEST,
            SCRAPE_IDLE_CONNECTION_TIMEOUT, SCRAPE_MAX_IDLE_CONNECTIONS, SCRAPE_TLS_CA_FILE, SCRAPE_TLS_CERT_FILE, SCRAPE_TLS_KEY_FILE,
            SCRAPE_FORWARDED_HEADERS,
            CF_API_URL, CF_CLIENT_ID, CF_CLIENT_SECRET, CF_CA_FILE, CF_SKIP_SSL_VALIDATION,
            CF_MAX_CONCURRENT_REQUESTS, CF_MAX_REQUESTS_PER_SECOND, CF_REQUEST_TIMEOUT,
            CF_METADATA_REFRESH, CF_CONTAINER_METRICS, CF_STATS_TTL,
            AUTH_MODE, AUTH_CACHE_TTL, AUTH_APP_AUTHORIZATION_HEADER,
            BROKER_ENABLED, BROKER_USER, BROKER_PASSWORD,
            BROKER_DATABASE_URL, BROKER_DATABASE_USER, BROKER_DATABASE_PASSWORD, BROKER_DATABASE_TIMEOUT,
            BROKER_REFRESH_INTERVAL, BROKER_SERVICE_ID, BROKER_PLAN_ID);
}
