package io.promfetcher.workload.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import io.promfetcher.workload.linkfarm.LinkFarm;
import io.promfetcher.workload.synthetic.LinkKind;
import io.promfetcher.workload.synthetic.ShortLink;
import io.promfetcher.workload.synthetic.SyntheticWorld;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each redirect case of the synthetic world, one by one, through the link farm on loopback. */
class RedirectFollowerIT {
    private static final SyntheticWorld WORLD = new SyntheticWorld(7, 200, 1.1);
    private static LinkFarm farm;
    private static RedirectFollower follower;

    @BeforeAll
    static void startFarm() {
        farm = new LinkFarm(WORLD, 0, Duration.ZERO, Duration.ofMillis(100), Duration.ofSeconds(3)).start();
        follower = new RedirectFollower(
                RedirectFollower.client(Duration.ofSeconds(3),
                        Optional.of(ProxySelector.of(new InetSocketAddress("127.0.0.1", farm.port())))),
                Duration.ofMillis(1500), 30);
    }

    @AfterAll
    static void stopFarm() {
        farm.close();
    }

    private static ShortLink first(LinkKind kind) {
        return WORLD.links().stream().filter(l -> l.kind() == kind).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(LinkKind.class)
    void everyKindOfLinkResolvesToWhatTheWorldExpects(LinkKind kind) throws InterruptedException {
        ShortLink link = first(kind);
        Resolution resolution = follower.resolve(link.url());
        assertThat(resolution.scoredUrl()).as("%s %s gave %s", kind, link.url(), resolution).isEqualTo(link.expectedScoredUrl());
    }

    @Test
    void plainLinksOfEveryChainLengthResolve() throws InterruptedException {
        for (ShortLink link : WORLD.links()) {
            if (link.kind() == LinkKind.PLAIN) {
                Resolution resolution = follower.resolve(link.url());
                assertThat(resolution).isInstanceOf(Resolution.Resolved.class);
                assertThat(((Resolution.Resolved) resolution).finalUrl()).isEqualTo(link.expectedScoredUrl().orElseThrow());
            }
        }
    }

    @Test
    void loopIsDroppedAsALoop() throws InterruptedException {
        assertThat(follower.resolve(first(LinkKind.LOOP).url())).isEqualTo(new Resolution.Dropped("redirect_loop"));
    }

    @Test
    void endlessChainStopsAtThirtyRedirects() throws InterruptedException {
        assertThat(follower.resolve(first(LinkKind.TOO_MANY_HOPS).url()))
                .isEqualTo(new Resolution.Dropped("too_many_redirects"));
    }

    @Test
    void deadHostFallsBackToTheDeadUrl() throws InterruptedException {
        ShortLink link = first(LinkKind.DEAD_HOST);
        Resolution resolution = follower.resolve(link.url());
        assertThat(resolution).isEqualTo(new Resolution.Fallback(link.expectedScoredUrl().orElseThrow(), "unreachable"));
    }

    @Test
    void stalledHopTimesOut() throws InterruptedException {
        ShortLink link = first(LinkKind.STALLED_HOP);
        assertThat(follower.resolve(link.url()))
                .isEqualTo(new Resolution.Fallback(link.expectedScoredUrl().orElseThrow(), "timeout"));
    }

    @Test
    void errorPagesAreDroppedByClass() throws InterruptedException {
        assertThat(follower.resolve(first(LinkKind.NOT_FOUND).url())).isEqualTo(new Resolution.Dropped("http_4xx"));
        assertThat(follower.resolve(first(LinkKind.SERVER_ERROR).url())).isEqualTo(new Resolution.Dropped("http_5xx"));
    }

    @Test
    void redirectWithoutLocationIsDropped() throws InterruptedException {
        assertThat(follower.resolve(first(LinkKind.MISSING_LOCATION).url()))
                .isEqualTo(new Resolution.Dropped("missing_location"));
    }

    @Test
    void nonHttpAndNonUrlsAreDroppedWithoutARequest() throws InterruptedException {
        assertThat(follower.resolve("mailto:a@b.example")).isEqualTo(new Resolution.Dropped("unsupported_scheme"));
        assertThat(follower.resolve("ftp://files.example/x")).isEqualTo(new Resolution.Dropped("unsupported_scheme"));
        assertThat(follower.resolve("http://bad link.example/x")).isEqualTo(new Resolution.Dropped("invalid_url"));
        assertThat(follower.resolve("not a url at all")).isEqualTo(new Resolution.Dropped("invalid_url"));
        assertThat(follower.resolve("/relative/only")).isEqualTo(new Resolution.Dropped("unsupported_scheme"));
    }
}
