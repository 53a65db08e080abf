package io.promfetcher.workload.source;

import io.promfetcher.workload.synthetic.SyntheticPosts;
import io.promfetcher.workload.synthetic.SyntheticWorld;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The default source: the seeded synthetic posts, paced at a fixed rate (or as fast as possible). */
public final class SyntheticSource implements PostSource {
    private final SyntheticPosts posts;
    private final double postsPerSecond;
    private volatile boolean closed;

    /** @param postsPerSecond {@code 0} for no pacing */
    public SyntheticSource(SyntheticWorld world, long count, double postsPerSecond) {
        this.posts = new SyntheticPosts(world, count);
        this.postsPerSecond = postsPerSecond;
    }

    @Override
    public void forEach(Consumer<Post> sink) throws InterruptedException {
        long start = System.nanoTime();
        long n = 0;
        for (Post post : posts) {
            if (closed || Thread.currentThread().isInterrupted()) {
                return;
            }
            if (postsPerSecond > 0) {
                long due = start + (long) (n * 1e9 / postsPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            sink.accept(post);
            n++;
        }
    }

    @Override
    public long rejected() {
        return 0;
    }

    @Override
    public void close() {
        closed = true;
    }
}
