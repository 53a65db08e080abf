package io.promfetcher.workload.synthetic;

import io.promfetcher.workload.source.Post;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The seeded stream of synthetic posts over a world: 0–3 links each, drawn by popularity. The same
 * seed and world always give the same posts, which is what lets tests predict the hotlist.
 */
public final class SyntheticPosts implements Iterable<Post> {
    private final SyntheticWorld world;
    private final long count;

    /** @param count how many posts; {@code 0} for an endless stream */
    public SyntheticPosts(SyntheticWorld world, long count) {
        this.world = world;
        this.count = count;
    }

    @Override
    public Iterator<Post> iterator() {
        SplittableRandom random = new SplittableRandom(world.seed() * 31 + 7);
        return new Iterator<>() {
            private long produced;

            @Override
            public boolean hasNext() {
                return count == 0 || produced < count;
            }

            @Override
            public Post next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long n = produced++;
                double r = random.nextDouble();
                int linkCount = r < 0.2 ? 0 : r < 0.7 ? 1 : r < 0.9 ? 2 : 3;
                List<String> links = new ArrayList<>(linkCount);
                StringBuilder text = new StringBuilder("synthetic post ").append(n);
                for (int i = 0; i < linkCount; i++) {
                    String url = world.draw(random).url();
                    links.add(url);
                    text.append(i == 0 ? ": " : " and ").append(url);
                }
                return new Post("synthetic-" + world.seed() + "-" + n, text.toString(), links);
            }
        };
    }
}
