package io.promfetcher.workload.synthetic;

import io.promfetcher.workload.source.Post;
import java.net.IDN;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded, made-up web of short links and redirect chains. The tracker's synthetic source posts
 * its links (popularity Zipf-distributed by rank) and the link farm serves its pages, both built
 * from the same seed and size; because the world knows what every link resolves to, a test can
 * predict the hotlist exactly.
 */
public final class SyntheticWorld {
    /** The smallest world: every awkward kind has a fixed rank below this. */
    public static final int MIN_LINKS = 100;

    /** Ranks of the awkward cases: not the most popular (a stalled hop costs a timeout each time). */
    private static final Map<Integer, LinkKind> SPECIAL_RANKS = Map.ofEntries(
            Map.entry(3, LinkKind.RELATIVE_LOCATION),
            Map.entry(5, LinkKind.LOOP),
            Map.entry(7, LinkKind.DEAD_HOST),
            Map.entry(9, LinkKind.SLOW_HOP),
            Map.entry(11, LinkKind.NOT_FOUND),
            Map.entry(13, LinkKind.SERVER_ERROR),
            Map.entry(15, LinkKind.NON_ASCII_HOST),
            Map.entry(17, LinkKind.NOT_HTTP),
            Map.entry(19, LinkKind.TOO_MANY_HOPS),
            Map.entry(21, LinkKind.MISSING_LOCATION),
            Map.entry(23, LinkKind.INVALID_URL),
            Map.entry(61, LinkKind.STALLED_HOP));

    private static final int[] REDIRECTS = {301, 302, 303, 307, 308};
    private static final String[] SHORT_HOSTS = {"lnk.example", "t.example", "bit.example", "sho.rt.example"};
    private static final String ENDLESS_HOST = "endless.example";

    private final long seed;
    private final List<ShortLink> links = new ArrayList<>();
    private final Map<String, Page> pages = new HashMap<>();
    private final Set<String> hosts = new HashSet<>();
    private final double[] cumulativeWeights;

    public SyntheticWorld(long seed, int linkCount, double zipfExponent) {
        if (linkCount < MIN_LINKS) {
            throw new IllegalArgumentException("a synthetic world needs at least " + MIN_LINKS + " links");
        }
        this.seed = seed;
        SplittableRandom random = new SplittableRandom(seed);
        int finals = Math.max(10, linkCount / 3);
        for (int rank = 0; rank < linkCount; rank++) {
            LinkKind kind = SPECIAL_RANKS.getOrDefault(rank, LinkKind.PLAIN);
            links.add(build(rank, kind, random, finals));
        }
        cumulativeWeights = new double[linkCount];
        double total = 0;
        for (int rank = 0; rank < linkCount; rank++) {
            total += 1.0 / Math.pow(rank + 1, zipfExponent);
            cumulativeWeights[rank] = total;
        }
    }

    public long seed() {
        return seed;
    }

    public List<ShortLink> links() {
        return List.copyOf(links);
    }

    public ShortLink link(int rank) {
        return links.get(rank);
    }

    /** A link drawn by popularity: rank r with probability proportional to 1/(r+1)^s. */
    public ShortLink draw(SplittableRandom random) {
        double u = random.nextDouble() * cumulativeWeights[cumulativeWeights.length - 1];
        int index = Arrays.binarySearch(cumulativeWeights, u);
        int rank = index >= 0 ? index : -index - 1;
        return links.get(Math.min(rank, links.size() - 1));
    }

    /**
     * The page at a host (ASCII, lower case, no port) and path (with query). Empty when the host
     * is not part of the world: the link farm then behaves like a dead host.
     */
    public Optional<Page> page(String host, String pathAndQuery) {
        Page page = pages.get(host + pathAndQuery);
        if (page != null) {
            return Optional.of(page);
        }
        if (host.equals(ENDLESS_HOST)) {
            return Optional.of(endless(pathAndQuery));
        }
        return Optional.empty();
    }

    /** True if the world has any page on this host (an unknown path there is a 404, not a dead host). */
    public boolean knowsHost(String host) {
        return host.equals(ENDLESS_HOST) || hosts.contains(host);
    }

    /** What a correct resolver puts in the hotlist for these posts: final (or fallback) URL → mentions. */
    public Map<String, Long> expectedScores(Iterable<Post> posts) {
        Map<String, ShortLink> byUrl = new HashMap<>();
        for (ShortLink link : links) {
            byUrl.put(link.url(), link);
        }
        Map<String, Long> scores = new HashMap<>();
        for (Post post : posts) {
            for (String url : post.links()) {
                ShortLink link = byUrl.get(url);
                if (link == null) {
                    throw new IllegalArgumentException("not a link of this world: " + url);
                }
                link.expectedScoredUrl().ifPresent(scored -> scores.merge(scored, 1L, Long::sum));
            }
        }
        return scores;
    }

    private ShortLink build(int rank, LinkKind kind, SplittableRandom random, int finals) {
        String code = "l" + rank + "-" + letters(random, 4);
        String shortHost = SHORT_HOSTS[rank % SHORT_HOSTS.length];
        String shortUrl = "http://" + shortHost + "/" + code;
        String hopHost = "r" + random.nextInt(10) + ".hop.example";
        String finalUrl = "http://site" + random.nextInt(20) + ".news.example/article/" + random.nextInt(finals);
        switch (kind) {
            case PLAIN -> {
                int hops = random.nextInt(6);
                if (hops == 0) {
                    put(shortUrl, Page.ok());
                    return link(rank, shortUrl, kind, shortUrl);
                }
                chain(shortUrl, hopHost, code, hops, finalUrl, random, random.nextInt(3) == 0);
                return link(rank, shortUrl, kind, finalUrl);
            }
            case RELATIVE_LOCATION -> {
                chain(shortUrl, hopHost, code, 5, finalUrl, random, true);
                return link(rank, shortUrl, kind, finalUrl);
            }
            case LOOP -> {
                String a = "http://" + hopHost + "/" + code + "/a";
                String b = "http://" + hopHost + "/" + code + "/b";
                put(shortUrl, Page.redirect(301, a));
                put(a, Page.redirect(302, b));
                put(b, Page.redirect(307, a));
                return new ShortLink(rank, shortUrl, kind, Optional.empty());
            }
            case DEAD_HOST -> {
                String dead = "http://dead" + rank + ".unreachable.example/" + code;
                put(shortUrl, Page.redirect(301, dead));
                return link(rank, shortUrl, kind, dead);
            }
            case SLOW_HOP, STALLED_HOP -> {
                String hop = "http://" + hopHost + "/" + code + "/slow";
                put(shortUrl, Page.redirect(301, hop));
                Page.Delay delay = kind == LinkKind.SLOW_HOP ? Page.Delay.SLOW : Page.Delay.STALL;
                put(hop, Page.redirect(302, finalUrl).withDelay(delay));
                putFinal(finalUrl);
                // A stalled hop times out: the resolver falls back to the deepest URL it knows.
                return link(rank, shortUrl, kind, kind == LinkKind.SLOW_HOP ? finalUrl : hop);
            }
            case NOT_FOUND -> {
                String gone = "http://site0.news.example/gone/" + code;
                put(shortUrl, Page.redirect(302, gone));
                put(gone, new Page(404, Optional.empty(), Page.Delay.NONE));
                return new ShortLink(rank, shortUrl, kind, Optional.empty());
            }
            case SERVER_ERROR -> {
                put(shortUrl, new Page(500, Optional.empty(), Page.Delay.NONE));
                return new ShortLink(rank, shortUrl, kind, Optional.empty());
            }
            case NON_ASCII_HOST -> {
                String unicodeHost = "kürz" + rank + ".example";
                String asciiShort = "http://" + IDN.toASCII(unicodeHost) + "/" + code;
                put(asciiShort, Page.redirect(301, finalUrl));
                putFinal(finalUrl);
                return link(rank, "http://" + unicodeHost + "/" + code, kind, finalUrl);
            }
            case NOT_HTTP -> {
                String url = rank % 2 == 0 ? "mailto:someone@" + code + ".example" : "ftp://files.example/" + code;
                return new ShortLink(rank, url, kind, Optional.empty());
            }
            case TOO_MANY_HOPS -> {
                put(shortUrl, Page.redirect(301, "http://" + ENDLESS_HOST + "/" + code + "/1"));
                return new ShortLink(rank, shortUrl, kind, Optional.empty());
            }
            case MISSING_LOCATION -> {
                put(shortUrl, new Page(302, Optional.empty(), Page.Delay.NONE));
                return new ShortLink(rank, shortUrl, kind, Optional.empty());
            }
            case INVALID_URL -> {
                return new ShortLink(rank, "http://bad link.example/" + code, kind, Optional.empty());
            }
            default -> throw new IllegalStateException("unhandled kind " + kind);
        }
    }

    /**
     * short → hop 1 → … → hop n-1 → final, each a random redirect status. Relative hops stay on
     * the hop host and use every relative form: absolute path, sibling path, parent path.
     */
    private void chain(String shortUrl, String hopHost, String code, int hops, String finalUrl,
            SplittableRandom random, boolean relative) {
        String current = shortUrl;
        for (int hop = 1; hop < hops; hop++) {
            String next = "http://" + hopHost + "/" + code + "/h" + hop;
            String location = next;
            if (relative && hop > 1) {
                location = switch (hop % 3) {
                    case 0 -> "/" + code + "/h" + hop;
                    case 1 -> "h" + hop;
                    default -> "../" + code + "/h" + hop;
                };
            }
            put(current, Page.redirect(REDIRECTS[random.nextInt(REDIRECTS.length)], location));
            current = next;
        }
        put(current, Page.redirect(REDIRECTS[random.nextInt(REDIRECTS.length)], finalUrl));
        putFinal(finalUrl);
    }

    private Page endless(String pathAndQuery) {
        // /<code>/<n> → /<code>/<n+1>, for ever.
        int slash = pathAndQuery.lastIndexOf('/');
        try {
            long n = Long.parseLong(pathAndQuery.substring(slash + 1));
            return Page.redirect(308, pathAndQuery.substring(0, slash + 1) + (n + 1));
        } catch (NumberFormatException e) {
            return new Page(404, Optional.empty(), Page.Delay.NONE);
        }
    }

    private void putFinal(String finalUrl) {
        if (!pages.containsKey(key(finalUrl))) {
            put(finalUrl, Page.ok());
        }
    }

    private void put(String url, Page page) {
        String key = key(url);
        pages.put(key, page);
        hosts.add(key.substring(0, key.indexOf('/')));
    }

    private static String key(String url) {
        String rest = url.substring("http://".length());
        int slash = rest.indexOf('/');
        return rest.substring(0, slash).toLowerCase(Locale.ROOT) + rest.substring(slash);
    }

    private static ShortLink link(int rank, String url, LinkKind kind, String scored) {
        return new ShortLink(rank, url, kind, Optional.of(scored));
    }

    private static String letters(SplittableRandom random, int count) {
        StringBuilder s = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }
}
