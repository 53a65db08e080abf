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

    private final boolean enabled;
    private final Optional<byte[]> expected;

    public RoutesAccess(RoutesSettings.RoutesEndpoint settings) {
        this.enabled = settings.enabled();
        this.expected = settings.user().map(user -> sha256(user + ":" + settings.password().orElse("")));
    }

    /**
     * @param authorization the request's {@code Authorization} header, empty if absent
     */
    public Decision decide(Optional<String> authorization) {
        if (!enabled) {
            return Decision.DISABLED;
        }
        if (expected.isEmpty()) {
            return Decision.ALLOW;
        }
        byte[] given = authorization.flatMap(RoutesAccess::basicCredentials).map(RoutesAccess::sha256)
                .orElse(new byte[32]); // compared anyway: no early exit to time
        boolean match = MessageDigest.isEqual(expected.get(), given) && authorization.isPresent();
        return match ? Decision.ALLOW : Decision.UNAUTHORIZED;
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
