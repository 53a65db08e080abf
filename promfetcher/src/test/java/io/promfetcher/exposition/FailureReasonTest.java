package io.promfetcher.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailureReasonTest {
    @Test
    void aStatusBetween100And599IsItsOwnReason() {
        assertThat(FailureReason.http(100).label()).isEqualTo("http_100");
        assertThat(FailureReason.http(404).label()).isEqualTo("http_404");
        assertThat(FailureReason.http(599).label()).isEqualTo("http_599");
        assertThat(FailureReason.http(503).httpStatus()).hasValue(503);
        assertThat(FailureReason.http(503)).isSameAs(FailureReason.http(503));
    }

    @Test
    void anyOtherStatusIsHttpInvalid() {
        for (int status : new int[] {-1, 0, 99, 600, 999, 1000, Integer.MAX_VALUE}) {
            assertThat(FailureReason.http(status)).isSameAs(FailureReason.HTTP_INVALID);
        }
        assertThat(FailureReason.HTTP_INVALID.httpStatus()).isEmpty();
    }

    @Test
    void everyReasonIsAValidLabelValueThatNeedsNoEscaping() {
        for (FailureReason reason : FailureReason.fixed()) {
            assertThat(reason.label()).matches("[a-z_]+");
        }
        for (int status = 100; status < 600; status++) {
            assertThat(FailureReason.http(status).label()).matches("http_[1-5][0-9][0-9]");
        }
    }

    @Test
    void only401And403AreRefusedCredentials() {
        assertThat(FailureReason.http(401).refusedCredentials()).isTrue();
        assertThat(FailureReason.http(403).refusedCredentials()).isTrue();
        assertThat(FailureReason.http(404).refusedCredentials()).isFalse();
        assertThat(FailureReason.TIMEOUT.refusedCredentials()).isFalse();
    }
}
