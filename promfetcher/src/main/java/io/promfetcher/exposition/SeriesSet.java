package io.promfetcher.exposition;

/**
 * The series seen so far in one body: series hashes mapped to the offset of the sample that first
 * had them. Open addressing over one primitive array: each slot is two longs, the 32-bit hash
 * with the offset, then the generation that wrote it, side by side so a probe touches one cache
 * line. The generation makes clearing free, so a set grown by one big body costs nothing to reuse
 * for small ones. Equal hashes are only candidates: the caller confirms them.
 */
final class SeriesSet {
    private long[] table = new long[2 * 1024];
    private long generation = 1;
    private int size;

    /** Confirms that the sample at an earlier offset, whose hash matched, is the same series. */
    interface SameSeries {
        boolean test(int earlierOffset);
    }

    void clear() {
        size = 0;
        generation++;
    }

    /**
     * Remembers {@code offset} for {@code hash} unless the same series is known (a sample whose
     * hash matches and that {@code same} confirms): then returns that sample's offset, else -1.
     */
    int putIfAbsent(long hash, int offset, SameSeries same) {
        if (size * 4 >= table.length) {
            grow();
        }
        int key = (int) (hash ^ (hash >>> 32));
        int mask = (table.length >> 1) - 1;
        int i = home(key) & mask;
        while (table[2 * i + 1] == generation) {
            long slot = table[2 * i];
            if ((int) (slot >>> 32) == key && same.test((int) slot)) {
                return (int) slot;
            }
            i = (i + 1) & mask;
        }
        table[2 * i] = ((long) key << 32) | (offset & 0xffffffffL);
        table[2 * i + 1] = generation;
        size++;
        return -1;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        int mask = (table.length >> 1) - 1;
        for (int j = 0; j < old.length; j += 2) {
            if (old[j + 1] == generation) {
                long slot = old[j];
                int i = home((int) (slot >>> 32)) & mask;
                while (table[2 * i + 1] == generation) {
                    i = (i + 1) & mask;
                }
                table[2 * i] = slot;
                table[2 * i + 1] = generation;
            }
        }
    }

    /** Home slot of a key: the same function for inserts, lookups and growth. */
    private static int home(int key) {
        return key * 0x9E3779B9;
    }
}
