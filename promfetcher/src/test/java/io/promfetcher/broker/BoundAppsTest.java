package io.promfetcher.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.api.ScrapePreferences.Preference;
import io.promfetcher.scrape.MetricPath;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BoundAppsTest {
    private static BindingStore.Bound bound(String app, String binding, String endpoint, Boolean scrape, long version) {
        return new BindingStore.Bound(app, binding, new BindingParameters(
                Optional.ofNullable(endpoint).map(MetricPath::validate), Optional.ofNullable(scrape)), version);
    }

    @Test
    void nothingIsSaidBeforeTheBindingsAreLoaded() {
        BoundApps apps = new BoundApps();

        assertThat(apps.metricPath("a")).isEmpty();
        assertThat(apps.listed("a")).isTrue();
        assertThat(apps.isBehind(0)).isTrue();
    }

    @Test
    void theNewestBindingOfAnAppIsInForceWhole() {
        BoundApps apps = new BoundApps();
        apps.install(new BindingStore.Contents(7, List.of(
                bound("a", "old", "/old", false, 3),
                bound("a", "new", null, null, 5),
                bound("b", "only", "/b", null, 4))), 0);

        assertThat(apps.metricPath("a")).as("the newest says nothing about the path: the default applies").isEmpty();
        assertThat(apps.scrape("a")).isEmpty();
        assertThat(apps.metricPath("b")).contains(new Preference<>(MetricPath.validate("/b"), "service binding only"));
        assertThat(apps.snapshot().bindings()).isEqualTo(3);
    }

    @Test
    void scrapeFalseUnlistsTheApp() {
        BoundApps apps = new BoundApps();
        apps.install(new BindingStore.Contents(1, List.of(bound("a", "x", null, false, 1))), 0);

        assertThat(apps.listed("a")).isFalse();
        assertThat(apps.listed("other")).isTrue();
    }

    @Test
    void anOlderCopyNeverReplacesANewerOne() {
        BoundApps apps = new BoundApps();
        apps.install(new BindingStore.Contents(9, List.of(bound("a", "new", "/new", null, 9))), 0);
        apps.install(new BindingStore.Contents(8, List.of(bound("a", "old", "/old", null, 8))), 1);

        assertThat(apps.metricPath("a").map(Preference::value)).contains(MetricPath.validate("/new"));
        assertThat(apps.isBehind(9)).isFalse();
        assertThat(apps.isBehind(10)).isTrue();
    }
}
