package io.promfetcher.workload.synthetic;

import java.util.Optional;

/**
 * One link of the synthetic world as it appears in posts, with what a correct resolver scores for
 * it: the final URL, the URL it fell back to, or nothing when the mention must be dropped.
 */
public record ShortLink(int rank, String url, LinkKind kind, Optional<String> expectedScoredUrl) {}
