package io.promfetcher.workload.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a recorded run: JSON Lines, one post per line,
 * {@code {"id":"…","text":"…","links":["http://…",…]}} ({@code id} and {@code text} optional).
 * A bad line is reported with its number and skipped; the rest still plays.
 */
public final class ReplaySource implements PostSource {
    private static final Logger LOG = LoggerFactory.getLogger(ReplaySource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private volatile boolean closed;
    private volatile long rejected;

    public ReplaySource(Path file) {
        this.file = file;
    }

    @Override
    public void forEach(Consumer<Post> sink) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while (!closed && (line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    sink.accept(parse(line, number));
                } catch (IllegalArgumentException e) {
                    rejected++;
                    LOG.warn("{}:{}: line skipped: {}", file, number, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read replay file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses one line; throws {@link IllegalArgumentException} saying what is wrong with it. */
    static Post parse(String line, long number) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode links = node.get("links");
        if (links == null || !links.isArray()) {
            throw new IllegalArgumentException("no \"links\" array");
        }
        List<String> urls = new ArrayList<>();
        for (JsonNode link : links) {
            if (!link.isTextual()) {
                throw new IllegalArgumentException("\"links\" holds a non-string: " + link);
            }
            urls.add(link.asText());
        }
        String id = node.path("id").isValueNode() ? node.path("id").asText() : "replay-" + number;
        return new Post(id, node.path("text").asText(""), urls);
    }

    @Override
    public long rejected() {
        return rejected;
    }

    @Override
    public void close() {
        closed = true;
    }
}
