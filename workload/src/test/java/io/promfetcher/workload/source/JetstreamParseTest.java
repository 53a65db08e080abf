package io.promfetcher.workload.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JetstreamParseTest {
    static final String POST = """
            {"did":"did:plc:abc","time_us":1725911162329308,"kind":"commit","commit":{"rev":"3l3q","operation":"create",
             "collection":"app.bsky.feed.post","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.post",
             "createdAt":"2024-09-09T19:46:02.102Z","text":"read this https://t.co/x",
             "facets":[{"index":{"byteStart":10,"byteEnd":24},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://t.co/x"}]},
                       {"index":{"byteStart":0,"byteEnd":4},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"read"}]}],
             "embed":{"$type":"app.bsky.embed.external","external":{"uri":"https://news.example/a","title":"A"}}},
             "cid":"bafyrei"}}
            """;

    @Test
    void createdPostGivesItsLinkFacetsAndExternalEmbed() throws Exception {
        Post post = JetstreamSource.parse(POST).orElseThrow();
        assertThat(post.id()).isEqualTo("at://did:plc:abc/app.bsky.feed.post/3l3qo2vuowo2b");
        assertThat(post.text()).isEqualTo("read this https://t.co/x");
        assertThat(post.links()).isEqualTo(List.of("https://t.co/x", "https://news.example/a"));
    }

    @Test
    void otherEventsAreNotPosts() throws Exception {
        assertThat(JetstreamSource.parse(POST.replace("\"create\"", "\"delete\""))).isEmpty();
        assertThat(JetstreamSource.parse(POST.replace("\"app.bsky.feed.post\",\"rkey\"", "\"app.bsky.feed.like\",\"rkey\""))).isEmpty();
        assertThat(JetstreamSource.parse("{\"did\":\"did:plc:abc\",\"time_us\":1,\"kind\":\"identity\",\"identity\":{}}")).isEmpty();
    }
}
