package io.promfetcher.workload.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrontendLimitTest {
    @Test
    void noLimitGivesTheOriginalThirty() {
        assertThat(Frontend.limit(null)).isEqualTo(30);
        assertThat(Frontend.limit("")).isEqualTo(30);
        assertThat(Frontend.limit("other=1")).isEqualTo(30);
    }

    @Test
    void limitWithinRangeIsUsed() {
        assertThat(Frontend.limit("limit=1")).isEqualTo(1);
        assertThat(Frontend.limit("x=y&limit=1000")).isEqualTo(1000);
    }

    @Test
    void limitOutOfRangeOrNotANumberIsRejected() {
        for (String bad : new String[] {"limit=0", "limit=1001", "limit=-5", "limit=ten", "limit=", "limit", "limit=2.5",
                "limit=1&limit=2"}) {
            assertThatThrownBy(() -> Frontend.limit(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
