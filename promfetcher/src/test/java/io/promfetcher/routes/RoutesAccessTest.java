package io.promfetcher.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutesAccessTest {
    private static Optional<String> basic(String userPassword) {
        return Optional.of("Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8)));
    }

    private final RoutesAccess protectedAccess = new RoutesAccess(
            new RoutesSettings.RoutesEndpoint(true, Optional.of("ops"), Optional.of("s3cret")));

    @Test
    void aDisabledEndpointIsNotFoundEvenWithCredentials() {
        RoutesAccess access = new RoutesAccess(new RoutesSettings.RoutesEndpoint(false, Optional.of("ops"), Optional.of("s3cret")));
        assertThat(access.decide(basic("ops:s3cret"))).isEqualTo(RoutesAccess.Decision.DISABLED);
    }

    @Test
    void anEnabledEndpointWithoutCredentialsIsOpen() {
        RoutesAccess access = new RoutesAccess(RoutesSettings.RoutesEndpoint.defaults());
        assertThat(access.decide(Optional.empty())).isEqualTo(RoutesAccess.Decision.ALLOW);
    }

    @Test
    void theRightCredentialsAreAllowed() {
        assertThat(protectedAccess.decide(basic("ops:s3cret"))).isEqualTo(RoutesAccess.Decision.ALLOW);
        assertThat(protectedAccess.decide(Optional.of("basic " + basic("ops:s3cret").get().substring(6))))
                .isEqualTo(RoutesAccess.Decision.ALLOW);
    }

    @Test
    void missingWrongOrMalformedCredentialsAreUnauthorized() {
        for (Optional<String> header : java.util.List.of(Optional.<String>empty(), basic("ops:wrong"), basic("other:s3cret"),
                basic("ops:s3cret "), basic("ops"), basic(""), Optional.of("Bearer abc"), Optional.of("Basic !!!notbase64"),
                Optional.of("Basic"), Optional.of(""))) {
            assertThat(protectedAccess.decide(header)).as(header.toString()).isEqualTo(RoutesAccess.Decision.UNAUTHORIZED);
        }
    }

    @Test
    void aPasswordContainingAColonWorks() {
        RoutesAccess access = new RoutesAccess(new RoutesSettings.RoutesEndpoint(true, Optional.of("ops"), Optional.of("a:b")));
        assertThat(access.decide(basic("ops:a:b"))).isEqualTo(RoutesAccess.Decision.ALLOW);
    }
}
