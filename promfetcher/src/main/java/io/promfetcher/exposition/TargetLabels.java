package io.promfetcher.exposition;

import java.util.List;
import java.util.Objects;

/**
 * The labels the gateway adds to every sample of one app instance (design §3), in the order they
 * are written. {@code index} and {@code instanceId} are both the instance index (Go promfetcher
 * compatibility); {@code instance} is host:port and tells instances of one app apart.
 */
public record TargetLabels(String organizationId, String organizationName, String spaceId, String spaceName,
        String appId, String appName, String index, String instanceId, String instance) {

    /** The label names, in the order of the components and of the output. */
    public static final List<String> NAMES = List.of("organization_id", "organization_name", "space_id",
            "space_name", "app_id", "app_name", "index", "instance_id", "instance");

    public TargetLabels {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(organizationName, "organizationName");
        Objects.requireNonNull(spaceId, "spaceId");
        Objects.requireNonNull(spaceName, "spaceName");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(appName, "appName");
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(instance, "instance");
    }

    /**
     * About the bytes these labels take in a sample as written ({@code name="value",} each,
     * before any escaping): what each merged sample of the instance gains, for memory estimates.
     */
    public long writtenBytes() {
        long bytes = 2;
        List<String> values = values();
        for (int i = 0; i < NAMES.size(); i++) {
            bytes += NAMES.get(i).length() + values.get(i).length() + 4;
        }
        return bytes;
    }

    /** The value of label {@code NAMES.get(i)} (without a List per call). */
    String value(int i) {
        return switch (i) {
            case 0 -> organizationId;
            case 1 -> organizationName;
            case 2 -> spaceId;
            case 3 -> spaceName;
            case 4 -> appId;
            case 5 -> appName;
            case 6 -> index;
            case 7 -> instanceId;
            case 8 -> instance;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /** The values, in the order of {@link #NAMES}. */
    public List<String> values() {
        return List.of(organizationId, organizationName, spaceId, spaceName, appId, appName, index, instanceId,
                instance);
    }
}
