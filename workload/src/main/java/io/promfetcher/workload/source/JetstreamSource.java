package io.promfetcher.workload.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live source: Bluesky's Jetstream, a public WebSocket of JSON events that needs no
 * credentials. Each {@code commit} creating an {@code app.bsky.feed.post} becomes a post; its
 * links come from the link facets and an external embed. Reconnects for ever, resuming from the
 * last event seen ({@code cursor}). Flow control: the next message is only requested once the
 * tracker has taken the previous post, so a slow Redis slows the feed instead of filling memory.
 */
public final class JetstreamSource implements PostSource {
    public static final String DEFAULT_URL =
            "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post";

    private static final Logger LOG = LoggerFactory.getLogger(JetstreamSource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Post END = new Post("", "", List.of());

    private final URI uri;
    private final HttpClient http;
    private final BlockingQueue<Post> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    private volatile long rejected;
    private volatile long cursor;
    private volatile WebSocket socket;

    public JetstreamSource(URI uri) {
        this.uri = uri;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public void forEach(Consumer<Post> sink) throws InterruptedException {
        long backoffMillis = 250;
        while (!closed) {
            CompletableFuture<Void> ended = new CompletableFuture<>();
            try {
                socket = http.newWebSocketBuilder()
                        .buildAsync(resumeUri(), new Listener(ended))
                        .get(15, TimeUnit.SECONDS);
                backoffMillis = 250;
                drain(sink, ended);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("cannot connect to Jetstream at {}: {}", uri, e.getMessage());
            }
            if (!closed) {
                TimeUnit.MILLISECONDS.sleep(backoffMillis);
                backoffMillis = Math.min(30_000, backoffMillis * 2);
            }
        }
    }

    private void drain(Consumer<Post> sink, CompletableFuture<Void> ended) throws InterruptedException {
        while (!closed) {
            Post post = queue.poll(200, TimeUnit.MILLISECONDS);
            if (post == END) {
                return;
            }
            if (post != null) {
                sink.accept(post);
                socket.request(1);
            } else if (ended.isDone() && queue.isEmpty()) {
                return;
            }
        }
    }

    private URI resumeUri() {
        if (cursor == 0) {
            return uri;
        }
        String separator = uri.getRawQuery() == null ? "?" : "&";
        return URI.create(uri + separator + "cursor=" + cursor);
    }

    /** Turns one Jetstream event into a post, if it is the creation of a post. */
    static Optional<Post> parse(String message) throws IOException {
        JsonNode event = JSON.readTree(message);
        JsonNode commit = event.path("commit");
        if (!"commit".equals(event.path("kind").asText())
                || !"create".equals(commit.path("operation").asText())
                || !"app.bsky.feed.post".equals(commit.path("collection").asText())) {
            return Optional.empty();
        }
        JsonNode record = commit.path("record");
        Set<String> links = new LinkedHashSet<>();
        for (JsonNode facet : record.path("facets")) {
            for (JsonNode feature : facet.path("features")) {
                if ("app.bsky.richtext.facet#link".equals(feature.path("$type").asText())
                        && feature.path("uri").isTextual()) {
                    links.add(feature.path("uri").asText());
                }
            }
        }
        JsonNode external = record.path("embed").path("external").path("uri");
        if (external.isTextual()) {
            links.add(external.asText());
        }
        String id = "at://" + event.path("did").asText() + "/app.bsky.feed.post/" + commit.path("rkey").asText();
        return Optional.of(new Post(id, record.path("text").asText(""), new ArrayList<>(links)));
    }

    @Override
    public long rejected() {
        return rejected;
    }

    @Override
    public void close() {
        closed = true;
        WebSocket current = socket;
        if (current != null) {
            current.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final CompletableFuture<Void> ended;
        private final StringBuilder text = new StringBuilder();

        Listener(CompletableFuture<Void> ended) {
            this.ended = ended;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            LOG.info("connected to Jetstream at {}", uri);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String message = text.toString();
            text.setLength(0);
            try {
                JsonNode timeUs = JSON.readTree(message).path("time_us");
                if (timeUs.canConvertToLong()) {
                    cursor = timeUs.asLong();
                }
                Optional<Post> post = parse(message);
                if (post.isPresent()) {
                    queue.add(post.get());
                    return null; // the consumer requests the next message once it took this post
                }
            } catch (IOException | RuntimeException e) {
                rejected++;
                LOG.warn("Jetstream message skipped: {}", e.getMessage());
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            // Jetstream sends binary frames only when zstd compression was asked for; we never ask.
            if (last) {
                rejected++;
                LOG.warn("Jetstream binary message skipped");
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            LOG.warn("Jetstream closed the connection: {} {}", statusCode, reason);
            queue.add(END);
            ended.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            LOG.warn("Jetstream connection failed: {}", error.toString());
            queue.add(END);
            ended.complete(null);
        }
    }
}
