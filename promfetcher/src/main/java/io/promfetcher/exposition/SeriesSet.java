package io.promfetcher.exposition;

import java.util.Arrays;

/**
 * The series seen so far in one body: 64-bit series hashes mapped to the offset of the sample
 * that first had them. Open addressing over primitive arrays, so remembering a sample allocates
 * nothing.
 */
final class SeriesSet {
    private long[] keys = new long[1024];
    private int[] values = new int[1024];
    private int size;

    void clear() {
        if (size > 0) {
            Arrays.fill(keys, 0L);
            size = 0;
        }
    }

    /** Remembers {@code offset} for {@code hash} unless the hash is known: then returns the earlier offset, else -1. */
    int putIfAbsent(long hash, int offset) {
        long key = hash == 0 ? 1 : hash;
        if (size * 2 >= keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        while (keys[i] != 0) {
            if (keys[i] == key) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = offset;
        size++;
        return -1;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            long key = oldKeys[j];
            if (key != 0) {
                int i = (int) (key ^ (key >>> 32)) & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                values[i] = oldValues[j];
            }
        }
    }
}
