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
    /** Radix sort's second array and counts (kept with the log, grown to the largest body). */
    private long[] scratch = new long[0];
    private final int[] counts = new int[257];
    /** Offsets came in ascending order (as the indexer adds them): the radix sort may be used. */
    private boolean ascending = true;

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
        ascending = true;
    }

    void add(long hash, int offset) {
        if (size == entries.length) {
            entries = Arrays.copyOf(entries, size * 2);
        }
        if (size > 0 && (offset & 0xffffffffL) < (entries[size - 1] & 0xffffffffL)) {
            ascending = false;
        }
        int key = (int) (hash ^ (hash >>> 32));
        entries[size++] = ((long) key << 32) | (offset & 0xffffffffL);
    }

    /**
     * Reports every sample whose series an earlier sample had (each once, in no particular order).
     * Sorting orders equal hashes by offset, so "earlier" is the lower offset.
     */
    void forEachDuplicate(SameSeries same, Duplicate duplicate) {
        sortByHash();
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

    /**
     * Groups equal hashes, each group in the order its entries were added. Large logs: a stable
     * radix sort on the 32 hash bits (four passes of a byte; a comparison sort of a 10 MB body's
     * 170,000 series was a sixth of its merge), when the offsets were added in ascending order.
     * Otherwise, and for small logs: a plain sort of the packed longs (hash, then offset).
     */
    private void sortByHash() {
        if (size < 1024 || !ascending) {
            Arrays.sort(entries, 0, size);
            return;
        }
        if (scratch.length < size) {
            scratch = new long[entries.length];
        }
        long[] from = entries;
        long[] to = scratch;
        for (int shift = 32; shift < 64; shift += 8) {
            Arrays.fill(counts, 0);
            for (int i = 0; i < size; i++) {
                counts[((int) (from[i] >>> shift) & 0xff) + 1]++;
            }
            for (int b = 0; b < 256; b++) {
                counts[b + 1] += counts[b];
            }
            for (int i = 0; i < size; i++) {
                to[counts[(int) (from[i] >>> shift) & 0xff]++] = from[i];
            }
            long[] t = from;
            from = to;
            to = t;
        }
        // Four passes: the sorted entries are back in entries.
    }
}
