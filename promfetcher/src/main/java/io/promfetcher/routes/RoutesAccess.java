package io.promfetcher.routes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may read {@code GET /routes}: nobody when disabled (404, as if it did not exist), anyone when
 * enabled without credentials, else only a caller with the right basic-auth user and password
 * (401 with {@link #CHALLENGE} otherwise). Credentials are compared in constant time over their
 * SHA-256 digests, so neither content nor length leaks through timing.
 *
 * <p>With {@link AdminTokens} ({@code auth.mode: cf}) basic auth is not used: only a caller whose
 * bearer token carries an admin-read scope of the foundation's UAA is allowed; every endpoint
 * protected by this object follows.
 */
public final class RoutesAccess {
    /** The {@code WWW-Authenticate} value that goes with {@link Decision#UNAUTHORIZED}. */
    public static final String CHALLENGE = "Basic realm=\"promfetcher routes\", charset=\"UTF-8\"";

    /** What to answer. */
    public enum Decision {
        /** Serve the table (200). */
        ALLOW,
        /** Endpoint disabled: answer 404. */
        DISABLED,
        /** Missing or wrong credentials: answer 401 with {@link #CHALLENGE}. */
        UNAUTHORIZED
    }

    /** The {@code WWW-Authenticate} value that goes with {@link Decision#UNAUTHORIZED} in {@code auth.mode: cf}. */
    public static final String BEARER_CHALLENGE = "Bearer realm=\"promfetcher admin\", scope=\"cloud_controller.admin_read_only\"";

    /** Decides bearer tokens, from memory: true for a valid, unexpired token with an admin-read scope. */
    @FunctionalInterface
    public interface AdminTokens {
        boolean adminRead(String bearerToken);
    }

    private final boolean enabled;
    private final Optional<byte[]> expected;
    private final Optional<AdminTokens> adminTokens;

    public RoutesAccess(RoutesSettings.RoutesEndpoint settings) {
        this(settings, Optional.empty());
    }

    /** @param adminTokens present in {@code auth.mode: cf}: admin-read bearer tokens only, basic auth not used */
    public RoutesAccess(RoutesSettings.RoutesEndpoint settings, Optional<AdminTokens> adminTokens) {
        this.enabled = settings.enabled();
        this.expected = settings.user().map(user -> sha256(user + ":" + settings.password().orElse("")));
        this.adminTokens = adminTokens;
    }

    /** The {@code WWW-Authenticate} value to send with {@link Decision#UNAUTHORIZED}. */
    public String challenge() {
        return adminTokens.isPresent() ? BEARER_CHALLENGE : CHALLENGE;
    }

    /**
     * @param authorization the request's {@code Authorization} header, empty if absent
     */
    public Decision decide(Optional<String> authorization) {
        if (!enabled) {
            return Decision.DISABLED;
        }
        if (adminTokens.isPresent()) {
            Optional<String> token = authorization.flatMap(RoutesAccess::bearerToken);
            return token.isPresent() && adminTokens.get().adminRead(token.get()) ? Decision.ALLOW : Decision.UNAUTHORIZED;
        }
        if (expected.isEmpty()) {
            return Decision.ALLOW;
        }
        byte[] given = authorization.flatMap(RoutesAccess::basicCredentials).map(RoutesAccess::sha256)
                .orElse(new byte[32]); // compared anyway: no early exit to time
        boolean match = MessageDigest.isEqual(expected.get(), given) && authorization.isPresent();
        return match ? Decision.ALLOW : Decision.UNAUTHORIZED;
    }

    /** The token of a {@code Bearer} header (RFC 6750: the scheme is case-insensitive), empty otherwise. */
    public static Optional<String> bearerToken(String header) {
        String h = header.trim();
        if (h.length() < 8 || !h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Optional.empty();
        }
        String token = h.substring(7).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** "user:password" from a {@code Basic} header, empty when not basic or not valid base64. */
    private static Optional<String> basicCredentials(String header) {
        String h = header.trim();
        if (h.length() < 6 || !h.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
