package io.promfetcher.exposition;

import java.util.Arrays;

/**
 * The series of one body, to find duplicates once the body is read: each sample's series hash
 * (32 bits) and offset packed in a long and appended, then sorted so equal hashes sit together.
 * Appending is sequential and sorting is cache-friendly, where a hash table as large as the body
 * missed the cache on nearly every sample. Equal hashes are only candidates: the caller confirms.
 */
final class SeriesLog {
    private long[] entries = new long[1024];
    private int size;

    /** Tells whether the samples at two offsets are the same series. */
    interface SameSeries {
        boolean test(int earlierOffset, int laterOffset);
    }

    /** Receives the offset of a sample whose series came earlier. */
    interface Duplicate {
        void at(int offset);
    }

    void clear() {
        size = 0;
    }

    void add(long hash, int offset) {
        if (size == entries.length) {
            entries = Arrays.copyOf(entries, size * 2);
        }
        int key = (int) (hash ^ (hash >>> 32));
        entries[size++] = ((long) key << 32) | (offset & 0xffffffffL);
    }

    /**
     * Reports every sample whose series an earlier sample had (each once, in no particular order).
     * Sorting orders equal hashes by offset, so "earlier" is the lower offset.
     */
    void forEachDuplicate(SameSeries same, Duplicate duplicate) {
        Arrays.sort(entries, 0, size);
        int i = 0;
        while (i < size) {
            int key = (int) (entries[i] >>> 32);
            int j = i + 1;
            while (j < size && (int) (entries[j] >>> 32) == key) {
                j++;
            }
            for (int later = i + 1; later < j; later++) {
                for (int earlier = i; earlier < later; earlier++) {
                    if (same.test((int) entries[earlier], (int) entries[later])) {
                        duplicate.at((int) entries[later]);
                        break;
                    }
                }
            }
            i = j;
        }
    }
}
