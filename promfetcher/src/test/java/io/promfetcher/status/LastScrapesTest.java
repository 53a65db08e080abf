package io.promfetcher.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.exposition.FailureReason;
import io.promfetcher.exposition.MergeReport;
import io.promfetcher.exposition.TargetLabels;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LastScrapesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    private static MergeReport.InstanceOutcome outcome(String app, String index, FailureReason reason, long millis) {
        TargetLabels labels = new TargetLabels("o", "org", "s", "space", app, "name-" + app, index, index, "10.0.0." + index + ":8080");
        return new MergeReport.InstanceOutcome(labels, Optional.ofNullable(reason), Optional.empty(), reason == null ? 5 : 0,
                0, 0, false, Duration.ofMillis(millis));
    }

    @Test
    void oneRequestOverTwoAppsIsRecordedPerAppWithTheSlowestInstancesTime() {
        LastScrapes scrapes = new LastScrapes(CLOCK);
        scrapes.answered(new MergeReport(List.of(outcome("blue", "0", null, 30), outcome("blue", "1", FailureReason.TIMEOUT, 900),
                outcome("green", "0", null, 20))), 200);

        LastScrapes.LastScrape blue = scrapes.of("blue").orElseThrow();
        assertThat(blue.status()).isEqualTo(200);
        assertThat(blue.at()).isEqualTo(CLOCK.instant());
        assertThat(blue.duration()).isEqualTo(Duration.ofMillis(900));
        assertThat(blue.instances()).extracting(i -> i.index() + ":" + i.reason().map(FailureReason::label).orElse("up"))
                .containsExactly("0:up", "1:timeout");
        assertThat(blue.up()).isEqualTo(1);
        assertThat(scrapes.of("green").orElseThrow().instances()).hasSize(1);
        assertThat(scrapes.of("red")).isEmpty();
    }

    @Test
    void theAppsScrapedLongestAgoAreForgottenBeyondTheInstanceBound() {
        LastScrapes scrapes = new LastScrapes(CLOCK, 4);
        scrapes.answered(new MergeReport(List.of(outcome("a", "0", null, 1), outcome("a", "1", null, 1))), 200);
        scrapes.answered(new MergeReport(List.of(outcome("b", "0", null, 1), outcome("b", "1", null, 1))), 200);
        scrapes.answered(new MergeReport(List.of(outcome("a", "0", null, 1), outcome("a", "1", null, 1))), 200); // a again: b is older
        scrapes.answered(new MergeReport(List.of(outcome("c", "0", FailureReason.CONNECT, 1))), 502);
        assertThat(scrapes.of("b")).isEmpty();
        assertThat(scrapes.of("a")).isPresent();
        assertThat(scrapes.of("c").orElseThrow().allFailed()).isTrue();
    }
}
