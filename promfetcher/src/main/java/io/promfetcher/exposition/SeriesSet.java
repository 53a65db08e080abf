package io.promfetcher.exposition;

/**
 * The series seen so far in one body: series hashes mapped to the offset of the sample that first
 * had them. Open addressing over one primitive array (32-bit hash and offset packed in a long,
 * compact for the cache); a generation number per slot makes clearing free, so a set grown by one
 * big body costs nothing to reuse for small ones. Equal hashes are only candidates: the caller
 * confirms them.
 */
final class SeriesSet {
    private long[] slots = new long[1024];
    private int[] generations = new int[1024];
    private int generation = 1;
    private int size;

    void clear() {
        size = 0;
        generation++;
        if (generation == Integer.MAX_VALUE) {
            java.util.Arrays.fill(generations, 0);
            generation = 1;
        }
    }

    /** Confirms that the sample at an earlier offset, whose hash matched, is the same series. */
    interface SameSeries {
        boolean test(int earlierOffset);
    }

    /**
     * Remembers {@code offset} for {@code hash} unless the same series is known (a sample whose
     * hash matches and that {@code same} confirms): then returns that sample's offset, else -1.
     */
    int putIfAbsent(long hash, int offset, SameSeries same) {
        if (size * 2 >= slots.length) {
            grow();
        }
        int key = (int) (hash ^ (hash >>> 32));
        int mask = slots.length - 1;
        int i = home(key) & mask;
        while (generations[i] == generation) {
            long slot = slots[i];
            if ((int) (slot >>> 32) == key && same.test((int) slot)) {
                return (int) slot;
            }
            i = (i + 1) & mask;
        }
        generations[i] = generation;
        slots[i] = ((long) key << 32) | (offset & 0xffffffffL);
        size++;
        return -1;
    }

    private void grow() {
        long[] oldSlots = slots;
        int[] oldGenerations = generations;
        slots = new long[oldSlots.length * 2];
        generations = new int[oldSlots.length * 2];
        int mask = slots.length - 1;
        for (int j = 0; j < oldSlots.length; j++) {
            if (oldGenerations[j] == generation) {
                long slot = oldSlots[j];
                int key = (int) (slot >>> 32);
                // Re-derive the home slot from the stored key (the full hash is gone): any fixed
                // function of the key works as long as lookups use the same one.
                int i = home(key) & mask;
                while (generations[i] == generation) {
                    i = (i + 1) & mask;
                }
                generations[i] = generation;
                slots[i] = slot;
            }
        }
    }

    private static int home(int key) {
        return key * 0x9E3779B9;
    }
}
