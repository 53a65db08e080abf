package io.promfetcher.workload.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import org.junit.jupiter.api.Test;

class NormalizeTest {
    @Test
    void hostIsLowerCasedAndAnEmptyPathBecomesSlash() throws Exception {
        assertThat(RedirectFollower.normalize("HTTP://News.Example").toString()).isEqualTo("http://news.example/");
        assertThat(RedirectFollower.normalize("https://a.example:8443/x?y=1#frag").toString()).isEqualTo("https://a.example:8443/x?y=1");
    }

    @Test
    void nonAsciiHostBecomesIdn() throws Exception {
        assertThat(RedirectFollower.normalize("http://kürz.example/abc").toString()).isEqualTo("http://xn--krz-hoa.example/abc");
        assertThat(RedirectFollower.normalize("http://bücher.example:8080/ä").toString())
                .isEqualTo("http://xn--bcher-kva.example:8080/%C3%A4");
    }

    @Test
    void otherSchemesAndNonUrlsAreRefused() {
        assertThatThrownBy(() -> RedirectFollower.normalize("javascript:alert(1)")).isInstanceOf(URISyntaxException.class);
        assertThatThrownBy(() -> RedirectFollower.normalize("http:///nohost")).isInstanceOf(URISyntaxException.class);
        assertThatThrownBy(() -> RedirectFollower.normalize("http://a b/")).isInstanceOf(URISyntaxException.class);
    }

    @Test
    void onlyTheFiveRedirectStatusesAreFollowed() {
        assertThat(RedirectFollower.isRedirect(301)).isTrue();
        assertThat(RedirectFollower.isRedirect(302)).isTrue();
        assertThat(RedirectFollower.isRedirect(303)).isTrue();
        assertThat(RedirectFollower.isRedirect(307)).isTrue();
        assertThat(RedirectFollower.isRedirect(308)).isTrue();
        assertThat(RedirectFollower.isRedirect(300)).isFalse();
        assertThat(RedirectFollower.isRedirect(304)).isFalse();
    }
}
