package io.promfetcher.status;

import java.time.Duration;

/** Durations as people read them on a status page: "4 s ago", "3 min ago", "2 h ago". */
final class Ages {
    private Ages() {}

    static String ago(Duration d) {
        return of(d) + " ago";
    }

    static String of(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 120 * 60) {
            return s / 60 + " min";
        }
        if (s < 48 * 3600) {
            return s / 3600 + " h";
        }
        return s / 86400 + " d";
    }
}
