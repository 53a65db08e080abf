package io.promfetcher.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * The gateway's health and readiness. Healthy (HTTP 200) means the process serves requests: only
 * draining (shutdown begun) makes it unhealthy, because restarting the gateway cannot fix a NATS
 * outage and would empty the route table. Ready additionally needs every component ready (NATS
 * connected, route table warmed up); components report through {@link #register}.
 */
public final class Health {
    /** What a component says of itself. */
    public record Check(boolean ready, String detail) {
        public static Check ready(String detail) {
            return new Check(true, detail);
        }

        public static Check notReady(String detail) {
            return new Check(false, detail);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();
    private final Map<String, Supplier<Check>> checks = new ConcurrentSkipListMap<>();
    private volatile boolean draining;

    public void register(String component, Supplier<Check> check) {
        checks.put(component, check);
    }

    /** From now on the gateway reports itself unhealthy; there is no way back. */
    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    public boolean healthy() {
        return !draining;
    }

    public boolean ready() {
        return !draining && checks.values().stream().allMatch(c -> c.get().ready());
    }

    /** Each component's check as it is now, by component name. */
    public Map<String, Check> checks() {
        Map<String, Check> now = new java.util.TreeMap<>();
        checks.forEach((name, check) -> now.put(name, check.get()));
        return now;
    }

    /** The health document served on /health and /ready. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("status", draining ? "draining" : "up");
            boolean allReady = !draining;
            json.writeObjectFieldStart("checks");
            for (Map.Entry<String, Supplier<Check>> e : checks.entrySet()) {
                Check check = e.getValue().get();
                allReady &= check.ready();
                json.writeObjectFieldStart(e.getKey());
                json.writeBooleanField("ready", check.ready());
                json.writeStringField("detail", check.detail());
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeBooleanField("ready", allReady);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
