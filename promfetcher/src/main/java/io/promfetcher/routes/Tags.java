package io.promfetcher.routes;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The {@code tags} of one announcement: an immutable string map in one flat array, looked up by
 * linear scan. route-emitter sends a dozen tags per message and thousands of messages per second;
 * a hash map per message would be most of the decoding garbage.
 */
final class Tags extends AbstractMap<String, String> {
    static final Tags EMPTY = new Tags(new String[0], 0);

    private final String[] keysAndValues;
    private final int size;

    private Tags(String[] keysAndValues, int size) {
        this.keysAndValues = keysAndValues;
        this.size = size;
    }

    @Override
    public String get(Object key) {
        for (int i = 0; i < 2 * size; i += 2) {
            if (keysAndValues[i].equals(key)) {
                return keysAndValues[i + 1];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, String> e = Map.entry(keysAndValues[2 * next], keysAndValues[2 * next + 1]);
                        next++;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** Collects tags; a repeated key keeps its last value, as Go's decoder does. */
    static final class Builder {
        private String[] keysAndValues = new String[32];
        private int size;

        void put(String key, String value) {
            for (int i = 0; i < 2 * size; i += 2) {
                if (keysAndValues[i].equals(key)) {
                    keysAndValues[i + 1] = value;
                    return;
                }
            }
            if (2 * size == keysAndValues.length) {
                keysAndValues = Arrays.copyOf(keysAndValues, keysAndValues.length * 2);
            }
            keysAndValues[2 * size] = key;
            keysAndValues[2 * size + 1] = value;
            size++;
        }

        Tags build() {
            return size == 0 ? EMPTY : new Tags(Arrays.copyOf(keysAndValues, 2 * size), size);
        }
    }
}
