package io.promfetcher.cf;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.promfetcher.routes.RoutesAccess;
import java.math.BigInteger;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cloudfoundry.uaa.tokens.TokenKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides admin access ({@code /routes} and the other operator endpoints in {@code auth.mode: cf})
 * from the bearer token alone, from memory: its signature must verify with one of UAA's token
 * keys ({@code GET /token_keys}, read at start, every {@code refresh}, and again when a token
 * names a key not seen yet — at most every {@link #MIN_REFETCH}), it must not have expired, and
 * its {@code scope} must hold one of {@link #ADMIN_READ_SCOPES}. Decided locally because these
 * endpoints are answered on the event loop and the Cloud Controller has no call that answers
 * "may this token read everything" with cf-java-client.
 */
public final class UaaTokenKeys implements RoutesAccess.AdminTokens, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UaaTokenKeys.class);
    /** Scopes that may read the whole foundation. */
    public static final Set<String> ADMIN_READ_SCOPES = Set.of(
            "cloud_controller.admin", "cloud_controller.admin_read_only", "cloud_controller.global_auditor");
    static final Duration MIN_REFETCH = Duration.ofSeconds(30);

    private final CloudController cc;
    private final Clock clock;
    private final Duration refresh;
    private volatile Map<String, PublicKey> keys = Map.of();
    private final AtomicLong lastFetchNanos = new AtomicLong(Long.MIN_VALUE);
    private volatile java.util.concurrent.ScheduledFuture<?> schedule;

    public UaaTokenKeys(CloudController cc, Duration refresh, Clock clock) {
        this.cc = cc;
        this.refresh = refresh;
        this.clock = clock;
    }

    /** Reads the keys now and every {@code refresh}, in the background. */
    public void start() {
        schedule = cc.timer().scheduleWithFixedDelay(this::fetch, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean adminRead(String bearerToken) {
        try {
            Claims claims = Jwts.parser()
                    .keyLocator(new LocatorAdapter<Key>() {
                        @Override
                        protected Key locate(JwsHeader header) {
                            PublicKey key = keys.get(String.valueOf(header.getKeyId()));
                            if (key == null) {
                                fetchSoon();
                                throw new JwtException("token signed with key '" + header.getKeyId() + "', not one of UAA's");
                            }
                            return key;
                        }
                    })
                    .clock(() -> java.util.Date.from(clock.instant()))
                    .build().parseSignedClaims(bearerToken).getPayload();
            if (claims.getExpiration() == null) {
                return false; // UAA always sets exp: a token without one is not UAA's
            }
            Object scope = claims.get("scope");
            return scope instanceof Collection<?> scopes && scopes.stream().anyMatch(ADMIN_READ_SCOPES::contains);
        } catch (JwtException | IllegalArgumentException e) {
            LOG.debug("admin token refused: {}", e.getMessage());
            return false;
        }
    }

    /** How many signing keys are known (for health detail and tests). */
    public int keyCount() {
        return keys.size();
    }

    private void fetchSoon() {
        long last = lastFetchNanos.get();
        if (last == Long.MIN_VALUE || System.nanoTime() - last > MIN_REFETCH.toNanos()) {
            cc.timer().execute(this::fetch);
        }
    }

    private void fetch() {
        lastFetchNanos.set(System.nanoTime());
        cc.tokenKeys().whenComplete((list, failure) -> {
            if (failure != null) {
                CapiException c = CapiException.of(failure);
                LOG.warn("cannot read UAA's token keys: {} ({}); admin tokens are checked with the {} key(s) known;"
                        + " trying again in {} s", c.reason(), c.getMessage(), keys.size(), retry().toSeconds());
                cc.timer().schedule(this::fetch, retry().toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            Map<String, PublicKey> read = new HashMap<>();
            for (TokenKey key : list) {
                try {
                    read.put(String.valueOf(key.getId()), rsa(key));
                } catch (RuntimeException | java.security.GeneralSecurityException e) {
                    LOG.warn("UAA token key '{}' cannot be used: {}", key.getId(), e.getMessage());
                }
            }
            if (!read.isEmpty()) {
                keys = Map.copyOf(read);
            }
        });
    }

    /** After a failed read: soon, but not in a loop against a UAA that is down. */
    private Duration retry() {
        Duration soon = Duration.ofSeconds(5);
        return refresh.compareTo(soon) < 0 ? refresh : soon;
    }

    private static PublicKey rsa(TokenKey key) throws java.security.GeneralSecurityException {
        if (!"RSA".equalsIgnoreCase(String.valueOf(key.getKeyType()))) {
            throw new java.security.InvalidKeyException("key type " + key.getKeyType() + " (only RSA is used by UAA)");
        }
        Base64.Decoder b64 = Base64.getUrlDecoder();
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, b64.decode(key.getN())), new BigInteger(1, b64.decode(key.getE()))));
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }
}
