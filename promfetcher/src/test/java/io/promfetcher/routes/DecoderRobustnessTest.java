package io.promfetcher.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mangled announcements (bytes flipped, cut, duplicated, spliced), from a fixed seed: decoding either
 * gives a registration or a {@link MalformedMessageException}, never anything else, and applying what
 * decodes never breaks the table's invariants.
 */
class DecoderRobustnessTest {
    private static final byte[] VALID = Announcements.bytes(Announcements.appInstance("o", "s", "app",
            "app-guid", "inst-guid", "3", "10.0.0.1", 8080, 8443, "app.example.com", "b.example.com/x"));
    private static final byte[] SPECIALS = "{}[]\":,\\ 0-9eE.+ntfu\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Test
    void mangledMessagesAreEitherDecodedOrRejectedWithAReason() {
        RegistrationDecoder decoder = new RegistrationDecoder();
        RouteTable table = new RouteTable(() -> 42L, Duration.ofSeconds(120), () -> false);
        Random random = new Random(20261122);
        int decoded = 0;
        int rejected = 0;
        for (int n = 0; n < 5_000; n++) {
            byte[] message = mangle(random);
            try {
                Registration r = decoder.decode(message);
                table.register(r);
                decoded++;
            } catch (MalformedMessageException e) {
                assertThat(e.reason()).isNotNull();
                rejected++;
            }
        }
        assertThat(decoded).isPositive();
        assertThat(rejected).isPositive();
        // Invariants: every app found by GUID has instances, the counts agree with the views, and no
        // two instances share a scrape address.
        int instances = 0;
        java.util.Set<String> addresses = new java.util.HashSet<>();
        for (AppView app : table.apps()) {
            assertThat(app.instances()).isNotEmpty();
            assertThat(table.byAppGuid(app.identity().appId()).apps()).contains(app);
            instances += app.instances().size();
            for (Instance i : app.instances()) {
                assertThat(addresses.add(i.address())).as(i.address()).isTrue();
            }
        }
        assertThat(instances).isEqualTo(table.instanceCount());
    }

    private static byte[] mangle(Random random) {
        byte[] m = VALID.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            switch (random.nextInt(4)) {
                case 0 -> m[random.nextInt(m.length)] = SPECIALS[random.nextInt(SPECIALS.length)];
                case 1 -> m = Arrays.copyOf(m, random.nextInt(m.length + 1));
                case 2 -> m[random.nextInt(Math.max(1, m.length))] = (byte) random.nextInt(256);
                default -> {
                    int from = random.nextInt(m.length);
                    int to = from + random.nextInt(m.length - from);
                    byte[] spliced = new byte[m.length + (to - from)];
                    System.arraycopy(m, 0, spliced, 0, to);
                    System.arraycopy(m, from, spliced, to, m.length - to);
                    m = spliced;
                }
            }
            if (m.length == 0) {
                return m;
            }
        }
        return m;
    }
}
