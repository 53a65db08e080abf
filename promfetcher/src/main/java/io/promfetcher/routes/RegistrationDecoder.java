package io.promfetcher.routes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes gorouter's registration JSON (and {@code router.start}) with Jackson's streaming parser:
 * one pass over the bytes, no tree, unknown fields skipped. Types are checked as strictly as
 * gorouter's own Go decoder checks them, so a message the router would reject is rejected here
 * too, with a {@link MalformedReason}. Thread-safe.
 */
public final class RegistrationDecoder {
    /** Messages above this are refused before parsing (NATS' own default max_payload is 1 MiB). */
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    /** Decodes a whole message. */
    public Registration decode(byte[] message) throws MalformedMessageException {
        return decode(message, 0, message.length);
    }

    /** Decodes {@code length} bytes of {@code buffer} from {@code offset}. */
    public Registration decode(byte[] buffer, int offset, int length) throws MalformedMessageException {
        if (length > MAX_MESSAGE_BYTES) {
            throw new MalformedMessageException(MalformedReason.TOO_LARGE,
                    length + " bytes, more than " + MAX_MESSAGE_BYTES);
        }
        Registration registration;
        try (JsonParser p = JSON.createParser(buffer, offset, length)) {
            registration = read(p);
        } catch (IOException e) {
            throw new MalformedMessageException(MalformedReason.NOT_JSON, firstLine(e.getMessage()));
        }
        validate(registration);
        return registration;
    }

    /**
     * Decodes a {@code service-discovery.register}/{@code .unregister} message: route-emitter's
     * schema for internal routes, which names the container address and no port, so only a
     * missing host is refused.
     */
    public Registration decodeInternal(byte[] message) throws MalformedMessageException {
        if (message.length > MAX_MESSAGE_BYTES) {
            throw new MalformedMessageException(MalformedReason.TOO_LARGE,
                    message.length + " bytes, more than " + MAX_MESSAGE_BYTES);
        }
        Registration registration;
        try (JsonParser p = JSON.createParser(message)) {
            registration = read(p);
        } catch (IOException e) {
            throw new MalformedMessageException(MalformedReason.NOT_JSON, firstLine(e.getMessage()));
        }
        if (registration.host().isEmpty()) {
            throw new MalformedMessageException(MalformedReason.MISSING_HOST, "no host");
        }
        return registration;
    }

    private static Registration read(JsonParser p) throws IOException, MalformedMessageException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new MalformedMessageException(MalformedReason.NOT_JSON, "empty message");
        }
        if (first != JsonToken.START_OBJECT) {
            throw new MalformedMessageException(MalformedReason.WRONG_TYPE, "expected a JSON object, got " + first);
        }
        String host = "";
        int port = 0;
        int tlsPort = 0;
        List<String> uris = List.of();
        String app = "";
        String privateInstanceId = "";
        String privateInstanceIndex = "";
        String san = "";
        String protocol = "";
        String routeServiceUrl = "";
        String isolationSegment = "";
        String availabilityZone = "";
        int staleThreshold = 0;
        long updatedAtNs = 0;
        Map<String, String> tags = Map.of();
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue; // as in Go: null leaves the field at its zero value
            }
            switch (field) {
                case "host" -> host = string(p, field);
                case "port" -> port = port(p, field);
                case "tls_port" -> tlsPort = port(p, field);
                case "uris" -> uris = strings(p, field);
                case "app" -> app = string(p, field);
                case "private_instance_id" -> privateInstanceId = string(p, field);
                case "private_instance_index" -> privateInstanceIndex = string(p, field);
                case "server_cert_domain_san" -> san = string(p, field);
                case "protocol" -> protocol = string(p, field);
                case "route_service_url" -> routeServiceUrl = string(p, field);
                case "isolation_segment" -> isolationSegment = string(p, field);
                case "availability_zone" -> availabilityZone = string(p, field);
                case "stale_threshold_in_seconds" -> staleThreshold = integer(p, field);
                case "endpoint_updated_at_ns" -> updatedAtNs = int64(p, field);
                case "tags" -> tags = stringMap(p, field);
                default -> p.skipChildren(); // unknown fields are ignored, whatever their shape
            }
        }
        if (p.nextToken() != null) {
            throw new MalformedMessageException(MalformedReason.NOT_JSON, "data after the JSON object");
        }
        return new Registration(host, port, tlsPort, uris, app, privateInstanceId, privateInstanceIndex, san,
                protocol, routeServiceUrl, isolationSegment, availabilityZone, staleThreshold, updatedAtNs, tags);
    }

    private static void validate(Registration r) throws MalformedMessageException {
        if (r.host().isEmpty()) {
            throw new MalformedMessageException(MalformedReason.MISSING_HOST, "no host");
        }
        if (r.port() == 0 && r.tlsPort() == 0) {
            throw new MalformedMessageException(MalformedReason.MISSING_PORT, "neither port nor tls_port");
        }
    }

    private static String string(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongType(p, field, "a string");
        }
        return p.getText();
    }

    private static int port(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(p, field, "an integer");
        }
        if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 0 || p.getIntValue() > 65535) {
            throw new MalformedMessageException(MalformedReason.PORT_OUT_OF_RANGE,
                    field + " " + p.getText() + " is not in 0..65535");
        }
        return p.getIntValue();
    }

    private static int integer(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw wrongType(p, field, "a 32-bit integer");
        }
        return p.getIntValue();
    }

    private static long int64(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw wrongType(p, field, "a 64-bit integer");
        }
        return p.getLongValue();
    }

    private static List<String> strings(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongType(p, field, "an array of strings");
        }
        // route-emitter sends exactly one URI per message: keep that case to one small allocation.
        String first = null;
        List<String> more = null;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                throw wrongType(p, field, "an array of strings");
            }
            if (first == null) {
                first = p.getText();
            } else {
                if (more == null) {
                    more = new ArrayList<>(4);
                    more.add(first);
                }
                more.add(p.getText());
            }
        }
        return more != null ? List.copyOf(more) : first != null ? List.of(first) : List.of();
    }

    private static Map<String, String> stringMap(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw wrongType(p, field, "an object of strings");
        }
        Tags.Builder tags = new Tags.Builder();
        String key;
        while ((key = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            if (t != JsonToken.VALUE_STRING) {
                throw wrongType(p, field + "." + key, "a string");
            }
            tags.put(key, p.getText());
        }
        return tags.build();
    }

    private static MalformedMessageException wrongType(JsonParser p, String field, String expected) {
        return new MalformedMessageException(MalformedReason.WRONG_TYPE,
                field + " must be " + expected + ", got " + p.currentToken());
    }

    /** What a {@code router.start} (or the answer to {@code router.greet}) says about a router. */
    public record RouterStart(String id, int minimumRegisterIntervalInSeconds, int pruneThresholdInSeconds) {}

    /** Decodes a {@code router.start} payload; only used to log and count router starts. */
    public RouterStart decodeRouterStart(byte[] message) throws MalformedMessageException {
        if (message.length > MAX_MESSAGE_BYTES) {
            throw new MalformedMessageException(MalformedReason.TOO_LARGE, message.length + " bytes");
        }
        try (JsonParser p = JSON.createParser(message)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedMessageException(MalformedReason.WRONG_TYPE, "expected a JSON object");
            }
            String id = "";
            int interval = 0;
            int prune = 0;
            String field;
            while ((field = p.nextFieldName()) != null) {
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "id" -> id = string(p, field);
                    case "minimumRegisterIntervalInSeconds" -> interval = integer(p, field);
                    case "pruneThresholdInSeconds" -> prune = integer(p, field);
                    default -> p.skipChildren();
                }
            }
            return new RouterStart(id, interval, prune);
        } catch (IOException e) {
            throw new MalformedMessageException(MalformedReason.NOT_JSON, firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparseable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
