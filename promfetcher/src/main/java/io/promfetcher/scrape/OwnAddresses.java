package io.promfetcher.scrape;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateway's own listening addresses, which it never scrapes: an instance announced at the
 * gateway's address (in any spelling: {@code 127.0.0.1}, {@code localhost}, {@code 127.1},
 * {@code 2130706433}…) with a {@code metric_path} of the gateway's own would make every request
 * nest further requests. Compared after the host is resolved, so every spelling is caught.
 */
public final class OwnAddresses {
    /** Nothing is refused (for tests and tools that run no listener). */
    public static final OwnAddresses NONE = new OwnAddresses(Set.of(), Set.of(), false);

    private final Set<Integer> ports;
    private final Set<InetAddress> addresses;
    private final boolean everyLocalAddress;

    private OwnAddresses(Set<Integer> ports, Set<InetAddress> addresses, boolean everyLocalAddress) {
        this.ports = ports;
        this.addresses = addresses;
        this.everyLocalAddress = everyLocalAddress;
    }

    /**
     * @param listenAddress the address the listeners bind to ({@code 0.0.0.0} or {@code ::}: all
     *                      of this host's addresses)
     * @param ports         the ports they listen on
     */
    public static OwnAddresses of(String listenAddress, List<Integer> ports) {
        InetAddress listen;
        try {
            listen = InetAddress.getByName(listenAddress);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("listen_address " + listenAddress + " does not resolve", e);
        }
        Set<InetAddress> addresses = new HashSet<>();
        addresses.add(listen);
        if (listen.isAnyLocalAddress()) {
            try {
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    addresses.addAll(Collections.list(nic.getInetAddresses()));
                }
            } catch (SocketException e) {
                // No interface list: loopback and the wildcard are still refused below.
            }
        }
        return new OwnAddresses(Set.copyOf(ports), Set.copyOf(addresses), listen.isAnyLocalAddress());
    }

    /** Whether {@code address:port} reaches one of the gateway's own listeners. */
    public boolean isOwn(InetAddress address, int port) {
        if (!ports.contains(port)) {
            return false;
        }
        if (addresses.contains(address)) {
            return true;
        }
        // The wildcard listener answers on every local address, loopback included (127.0.0.0/8).
        return everyLocalAddress && (address.isLoopbackAddress() || address.isAnyLocalAddress());
    }
}
