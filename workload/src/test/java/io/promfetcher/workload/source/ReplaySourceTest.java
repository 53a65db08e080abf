package io.promfetcher.workload.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplaySourceTest {
    @Test
    void goodLinesAreReplayedInOrderAndBadOnesSkippedAndCounted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("posts.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"id\":\"p1\",\"text\":\"hello\",\"links\":[\"http://a.example/1\",\"http://b.example/2\"]}",
                "not json",
                "",
                "{\"links\":[]}",
                "{\"text\":\"no links field\"}",
                "[1,2]",
                "{\"links\":[42]}",
                "{\"id\":7,\"links\":[\"http://c.example/3\"]}"));
        List<Post> posts = new ArrayList<>();
        try (ReplaySource source = new ReplaySource(file)) {
            source.forEach(posts::add);
            assertThat(source.rejected()).isEqualTo(4);
        }
        assertThat(posts).containsExactly(
                new Post("p1", "hello", List.of("http://a.example/1", "http://b.example/2")),
                new Post("replay-4", "", List.of()),
                new Post("7", "", List.of("http://c.example/3")));
    }

    @Test
    void badLineSaysWhatIsWrong() {
        assertThatThrownBy(() -> ReplaySource.parse("{\"links\":\"http://x\"}", 1)).hasMessage("no \"links\" array");
        assertThatThrownBy(() -> ReplaySource.parse("{", 1)).hasMessage("not JSON");
    }
}
