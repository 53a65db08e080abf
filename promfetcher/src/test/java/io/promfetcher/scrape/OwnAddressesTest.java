package io.promfetcher.scrape;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class OwnAddressesTest {
    private static final OwnAddresses EVERYWHERE = OwnAddresses.of("0.0.0.0", List.of(8085, 8080));

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "127.1", "2130706433", "127.0.0.2", "0.0.0.0", "::1"})
    void everySpellingOfALocalAddressOnAGatewayPortIsOwn(String host) throws Exception {
        assertThat(EVERYWHERE.isOwn(InetAddress.getByName(host), 8085)).isTrue();
        assertThat(EVERYWHERE.isOwn(InetAddress.getByName(host), 8080)).isTrue();
    }

    @Test
    void otherPortsAndOtherHostsAreNot() throws Exception {
        assertThat(EVERYWHERE.isOwn(InetAddress.getByName("127.0.0.1"), 61001)).isFalse();
        assertThat(EVERYWHERE.isOwn(InetAddress.getByName("10.255.0.1"), 8085)).isFalse();
    }

    @Test
    void aGatewayListeningOnLoopbackOnlyOwnsLoopbackOnly() throws Exception {
        OwnAddresses loopback = OwnAddresses.of("127.0.0.1", List.of(8085));
        assertThat(loopback.isOwn(InetAddress.getByName("127.1"), 8085)).isTrue();
        assertThat(loopback.isOwn(InetAddress.getByName("10.255.0.1"), 8085)).isFalse();
    }

    @Test
    void noneOwnsNothing() throws Exception {
        assertThat(OwnAddresses.NONE.isOwn(InetAddress.getByName("127.0.0.1"), 8085)).isFalse();
    }
}
