package io.promfetcher.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Endpoint NONE = r -> new CompletableFuture<>();

    @Test
    void exactPathsWinOverPrefixesAndPrefixesMatchInOrder() {
        Router router = new Router()
                .prefix("/v1/apps/", "app_metrics", NONE)
                .prefix("/v1/", "v1", NONE)
                .exact("/v1/apps/metrics", "app_metrics_query", NONE);
        assertThat(router.match("/v1/apps/metrics")).get().extracting(Router.Route::name).isEqualTo("app_metrics_query");
        assertThat(router.match("/v1/apps/o/s/a/metrics")).get().extracting(Router.Route::name).isEqualTo("app_metrics");
        assertThat(router.match("/v1/sd")).get().extracting(Router.Route::name).isEqualTo("v1");
        assertThat(router.match("/nothing")).isEmpty();
    }

    @Test
    void twoEndpointsForOnePathIsAMistake() {
        Router router = new Router().exact("/metrics", "metrics", NONE);
        assertThatThrownBy(() -> router.exact("/metrics", "other", NONE)).isInstanceOf(IllegalArgumentException.class);
    }
}
