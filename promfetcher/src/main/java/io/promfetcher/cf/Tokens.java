package io.promfetcher.cf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promfetcher.routes.RoutesAccess;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** What the gateway reads from a caller's bearer token without asking anyone. */
final class Tokens {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Tokens() {}

    /** The token of an {@code Authorization: Bearer ...} header. */
    static Optional<String> bearer(Optional<String> authorization) {
        return authorization.flatMap(RoutesAccess::bearerToken);
    }

    /**
     * The {@code exp} claim of a JWT, read without checking the signature. Safe for what it is
     * used for: it only ever shortens how long a Cloud Controller decision about this exact
     * token is reused (a forged claim is another token, which the Cloud Controller refuses).
     */
    static Optional<Instant> expiry(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty(); // an opaque token: the Cloud Controller alone knows
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            JsonNode exp = claims.get("exp");
            return exp != null && exp.isNumber() ? Optional.of(Instant.ofEpochSecond(exp.asLong())) : Optional.empty();
        } catch (java.io.IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** SHA-256 of the token, hex: what caches are keyed by, so no token is kept in memory. */
    static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
