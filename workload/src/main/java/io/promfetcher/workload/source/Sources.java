package io.promfetcher.workload.source;

import io.promfetcher.workload.config.ConfigException;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.synthetic.SyntheticWorld;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the tracker's source from {@code TRACKER_SOURCE}: {@code synthetic} (default),
 * {@code replay:<file>}, or {@code jetstream} / {@code jetstream:<ws-url>}.
 */
public final class Sources {
    private Sources() {}

    public static PostSource fromEnv(Env env) {
        String spec = env.string("TRACKER_SOURCE", "synthetic");
        if (spec.equals("synthetic")) {
            SyntheticWorld world = world(env);
            long posts = env.longValue("SYNTHETIC_POSTS", 0, 0, Long.MAX_VALUE);
            double rate = env.decimal("SYNTHETIC_RATE", 20, 0, 1_000_000);
            return new SyntheticSource(world, posts, rate);
        }
        if (spec.startsWith("replay:")) {
            Path file = Path.of(spec.substring("replay:".length()));
            if (!Files.isReadable(file)) {
                throw new ConfigException("TRACKER_SOURCE=" + spec + " is invalid: cannot read " + file.toAbsolutePath());
            }
            return new ReplaySource(file);
        }
        if (spec.equals("jetstream") || spec.startsWith("jetstream:")) {
            String url = spec.equals("jetstream") ? JetstreamSource.DEFAULT_URL : spec.substring("jetstream:".length());
            try {
                URI uri = new URI(url);
                if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw Env.invalid("TRACKER_SOURCE", spec, "jetstream:ws://… or jetstream:wss://…");
                }
                return new JetstreamSource(uri);
            } catch (URISyntaxException e) {
                throw Env.invalid("TRACKER_SOURCE", spec, "jetstream:ws://… or jetstream:wss://…");
            }
        }
        throw Env.invalid("TRACKER_SOURCE", spec, "synthetic, replay:<file>, jetstream or jetstream:<ws-url>");
    }

    /** The synthetic world of {@code SYNTHETIC_SEED} and {@code SYNTHETIC_LINKS}: tracker and link farm must agree. */
    public static SyntheticWorld world(Env env) {
        long seed = env.longValue("SYNTHETIC_SEED", 42, Long.MIN_VALUE, Long.MAX_VALUE);
        int links = env.integer("SYNTHETIC_LINKS", 1000, SyntheticWorld.MIN_LINKS, 10_000_000);
        double zipf = env.decimal("SYNTHETIC_ZIPF_EXPONENT", 1.1, 0.1, 5);
        return new SyntheticWorld(seed, links, zipf);
    }
}
