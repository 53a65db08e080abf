package io.promfetcher.workload.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promfetcher.testkit.RedisServer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.redis.RedisKeys;
import io.promfetcher.workload.tracker.Tracker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** The live source against a local server speaking Jetstream's protocol: no internet involved. */
class JetstreamSourceIT {
    private static String post(long timeUs, String rkey, String... links) {
        StringBuilder facets = new StringBuilder();
        for (String link : links) {
            facets.append(facets.length() == 0 ? "" : ",")
                    .append("{\"index\":{\"byteStart\":0,\"byteEnd\":1},\"features\":[{\"$type\":\"app.bsky.richtext.facet#link\",\"uri\":\"")
                    .append(link).append("\"}]}");
        }
        return "{\"did\":\"did:plc:test\",\"time_us\":" + timeUs + ",\"kind\":\"commit\",\"commit\":{\"rev\":\"r\","
                + "\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"" + rkey + "\",\"record\":{"
                + "\"$type\":\"app.bsky.feed.post\",\"text\":\"post " + rkey + "\",\"facets\":[" + facets + "]},\"cid\":\"c\"}}";
    }

    private static final List<List<String>> SCRIPT = List.of(
            List.of(post(100, "a", "https://one.example/1"),
                    "{\"did\":\"did:plc:test\",\"time_us\":101,\"kind\":\"commit\",\"commit\":{\"operation\":\"delete\","
                            + "\"collection\":\"app.bsky.feed.post\",\"rkey\":\"a\"}}",
                    "this is not json",
                    post(102, "b", "https://two.example/2", "https://three.example/3")),
            List.of(post(200, "c", "https://four.example/4")));

    @Test
    void postsArriveAcrossAReconnectThatResumesFromTheCursor() throws Exception {
        try (LocalJetstream server = new LocalJetstream(SCRIPT);
                JetstreamSource source = new JetstreamSource(URI.create(server.url()))) {
            List<Post> posts = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    source.forEach(posts::add);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            reader.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> posts.size() == 3);
            source.close();
            reader.join(5000);

            assertThat(posts).extracting(Post::links).containsExactly(
                    List.of("https://one.example/1"),
                    List.of("https://two.example/2", "https://three.example/3"),
                    List.of("https://four.example/4"));
            assertThat(posts.get(0).id()).isEqualTo("at://did:plc:test/app.bsky.feed.post/a");
            assertThat(source.rejected()).isEqualTo(1);
            assertThat(server.requestLines.get(0)).startsWith("GET /subscribe?wantedCollections=app.bsky.feed.post HTTP/1.1");
            assertThat(server.requestLines.get(1)).contains("&cursor=102");
        }
    }

    @Test
    void trackerPushesLiveLinksToTheInbox() throws Exception {
        try (RedisServer redis = new RedisServer(); LocalJetstream server = new LocalJetstream(SCRIPT)) {
            redis.start();
            Tracker tracker = Tracker.fromEnv(Env.of(Map.of(
                    "TRACKER_SOURCE", "jetstream:" + server.url(),
                    "INBOX_REDIS", "127.0.0.1:" + redis.port(),
                    "PORT", "0"))).start();
            try (JedisPooled inbox = new JedisPooled("127.0.0.1", redis.port())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> inbox.llen(RedisKeys.INBOX) == 4);
                assertThat(inbox.lrange(RedisKeys.INBOX, 0, -1)).containsExactly(
                        "https://one.example/1", "https://two.example/2", "https://three.example/3", "https://four.example/4");
            } finally {
                tracker.close();
            }
        }
    }
}
