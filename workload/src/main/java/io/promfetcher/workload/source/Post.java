package io.promfetcher.workload.source;

import java.util.List;

/** One social post as the tracker sees it: an id, its text and the links it mentions, in order. */
public record Post(String id, String text, List<String> links) {
    public Post {
        links = List.copyOf(links);
    }
}
