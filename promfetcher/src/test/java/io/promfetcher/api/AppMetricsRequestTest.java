package io.promfetcher.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppMetricsRequestTest {

    private static Request get(String uri) {
        try {
            return Request.of("GET", uri, EmptyHttpHeaders.INSTANCE, new InetSocketAddress("127.0.0.1", 1));
        } catch (Request.MalformedTarget e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "/v1/apps/my-org/dev/my-app/metrics | ByNames[organization=my-org, space=dev, app=my-app] | false",
        "/v2/apps/my-org/dev/my-app/only-app-metrics | ByNames[organization=my-org, space=dev, app=my-app] | true",
        "/v1/apps/my%20org/dev/app%2Fx/metrics | ByNames[organization=my org, space=dev, app=app/x] | false",
        "/v1/apps/org/dev/c++/metrics | ByNames[organization=org, space=dev, app=c++] | false",
        "/v1/apps/6F1C2A0E-7D9B-4C8E-9A1E-2B3C4D5E6F70/metrics | ByGuid[guid=6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70] | false",
        "/v1/apps/My-App.apps.example.com/metrics | ByRoute[route=my-app.apps.example.com] | false",
        "/v1/apps/metrics?app=my-org/dev/my-app | ByNames[organization=my-org, space=dev, app=my-app] | false",
        "/v1/apps/metrics?app=\"my-org/dev/my-app\" | ByNames[organization=my-org, space=dev, app=my-app] | false",
        "/v1/apps/metrics?app=%22my-org%2Fdev%2Fmy-app%22 | ByNames[organization=my-org, space=dev, app=my-app] | false",
        "/v1/apps/only-app-metrics?app='6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70' | ByGuid[guid=6f1c2a0e-7d9b-4c8e-9a1e-2b3c4d5e6f70] | true",
        "/v1/apps/metrics?route_url=my-app.apps.example.com/api/ | ByRoute[route=my-app.apps.example.com/api] | false",
        "/v2/apps/metrics?route_url=\"my-app.apps.example.com\" | ByRoute[route=my-app.apps.example.com] | false",
    })
    void readsEveryPathForm(String uri, String selector, boolean onlyApp) throws Exception {
        AppMetricsRequest request = AppMetricsRequest.parse(get(uri));
        assertThat(request.selector().getClass().getSimpleName() + "[" + describe(request.selector()) + "]").isEqualTo(selector);
        assertThat(request.onlyApp()).isEqualTo(onlyApp);
    }

    private static String describe(AppSelector s) {
        String full = s instanceof AppSelector.ByNames n ? "organization=" + n.organization() + ", space=" + n.space() + ", app=" + n.app()
                : s instanceof AppSelector.ByGuid g ? "guid=" + g.guid() : "route=" + ((AppSelector.ByRoute) s).route();
        return full;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "/v1/apps/metrics | give exactly one of",
        "/v1/apps/metrics?app=a/b/c&route_url=x | give exactly one of",
        "/v1/apps/metrics?app= | app is empty",
        "/v1/apps/metrics?app=a/b | app must be org/space/app or an app GUID",
        "/v1/apps/metrics?app=a&app=b | app is given 2 times",
        "/v1/apps/a/b/metrics | expected /v1/apps/{org}/{space}/{app}/metrics",
        "/v1/apps/a/b/c/d/metrics | expected /v1/apps/{org}/{space}/{app}/metrics",
        "/v1/apps/a//c/metrics | org, space and app names must be non-empty",
        "/v1/apps/a/b%0d%0aX/c/metrics | org, space and app names must be non-empty and printable",
        "/v1/apps/metrics?route_url=http://evil.example.com | route_url must be host[/path]",
        "/v1/apps/metrics?route_url=user@evil.example.com | route_url must be host[/path]",
        "/v1/apps/metrics?route_url=evil.example.com:8080/x | route_url must start with a host name",
        "/v1/apps/metrics?route_url=/only/a/path | route_url must start with a host name",
        "/v1/apps/metrics?route_url=a%0d%0ab | route_url must be host[/path]",
        "/v1/apps/x.example.com/metrics?app=a/b/c | name the app either in the path",
    })
    void refusesWhatNamesNoAppClearly(String uri, String message) {
        assertThatThrownBy(() -> AppMetricsRequest.parse(get(uri)))
                .isInstanceOf(AppMetricsRequest.BadRequest.class)
                .hasMessageContaining(message);
    }
}
