package io.promfetcher.workload.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promfetcher.workload.source.Post;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SyntheticWorldTest {
    @Test
    void sameSeedGivesTheSameWorldAndPosts() {
        SyntheticWorld a = new SyntheticWorld(5, 150, 1.1);
        SyntheticWorld b = new SyntheticWorld(5, 150, 1.1);
        assertThat(a.links()).isEqualTo(b.links());
        List<Post> postsA = new ArrayList<>();
        new SyntheticPosts(a, 200).forEach(postsA::add);
        List<Post> postsB = new ArrayList<>();
        new SyntheticPosts(b, 200).forEach(postsB::add);
        assertThat(postsA).isEqualTo(postsB);
        assertThat(new SyntheticWorld(6, 150, 1.1).links()).isNotEqualTo(a.links());
    }

    @Test
    void everyAwkwardKindIsInTheWorld() {
        Set<LinkKind> kinds = new SyntheticWorld(1, 100, 1.1).links().stream().map(ShortLink::kind)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(LinkKind.class)));
        assertThat(kinds).isEqualTo(EnumSet.allOf(LinkKind.class));
    }

    @Test
    void popularityFollowsRank() {
        SyntheticWorld world = new SyntheticWorld(1, 500, 1.1);
        Map<String, Long> mentions = new java.util.HashMap<>();
        for (Post post : new SyntheticPosts(world, 20_000)) {
            post.links().forEach(l -> mentions.merge(l, 1L, Long::sum));
        }
        long first = mentions.getOrDefault(world.link(0).url(), 0L);
        long tenth = mentions.getOrDefault(world.link(9).url(), 0L);
        long hundredth = mentions.getOrDefault(world.link(99).url(), 0L);
        assertThat(first).isGreaterThan(tenth);
        assertThat(tenth).isGreaterThan(hundredth);
    }

    @Test
    void expectedScoresCountOnlyLinksThatScore() {
        SyntheticWorld world = new SyntheticWorld(1, 100, 1.1);
        ShortLink loop = world.links().stream().filter(l -> l.kind() == LinkKind.LOOP).findFirst().orElseThrow();
        ShortLink plain = world.link(0);
        Map<String, Long> scores = world.expectedScores(List.of(
                new Post("1", "", List.of(loop.url(), plain.url())), new Post("2", "", List.of(plain.url()))));
        assertThat(scores).isEqualTo(Map.of(plain.expectedScoredUrl().orElseThrow(), 2L));
    }

    @Test
    void tooSmallAWorldIsRefused() {
        assertThatThrownBy(() -> new SyntheticWorld(1, 99, 1.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
