package io.promfetcher.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.scrape.MetricPath;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScrapePreferencesTest {
    /** Says what its maps say, as a named source. */
    private static ScrapePreferences source(String name, Map<String, String> paths, Map<String, Boolean> scrape) {
        return new ScrapePreferences() {
            @Override
            public Optional<Preference<MetricPath>> metricPath(String appGuid) {
                return Optional.ofNullable(paths.get(appGuid)).map(p -> new Preference<>(MetricPath.validate(p), name));
            }

            @Override
            public Optional<Preference<Boolean>> scrape(String appGuid) {
                return Optional.ofNullable(scrape.get(appGuid)).map(s -> new Preference<>(s, name));
            }
        };
    }

    @Test
    void theFirstSourceThatSaysSomethingWinsForEachQuestionOnItsOwn() {
        ScrapePreferences binding = source("binding", Map.of("a", "/bound"), Map.of());
        ScrapePreferences annotation = source("annotation", Map.of("a", "/annotated", "b", "/annotated"), Map.of("a", false));
        ScrapePreferences both = ScrapePreferences.inOrder(List.of(binding, annotation));

        assertThat(both.metricPath("a")).hasValue(new ScrapePreferences.Preference<>(MetricPath.validate("/bound"), "binding"));
        assertThat(both.metricPath("b").map(p -> p.source())).hasValue("annotation");
        assertThat(both.metricPath("c")).isEmpty();
        assertThat(both.scrape("a").map(p -> p.source())).hasValue("annotation");
        assertThat(both.listed("a")).isFalse();
        assertThat(both.listed("b")).isTrue();
    }

    @Test
    void withNoSourceNothingIsSaidAndEveryAppIsListed() {
        assertThat(ScrapePreferences.inOrder(List.of()).metricPath("a")).isEmpty();
        assertThat(ScrapePreferences.NONE.listed("a")).isTrue();
    }
}
