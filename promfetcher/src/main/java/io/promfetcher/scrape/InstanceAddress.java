package io.promfetcher.scrape;

/**
 * Where pooled connections go: connections are shared only between scrapes of the same address,
 * scheme and certificate name, so a connection verified for one SAN never serves another.
 */
record InstanceAddress(String host, int port, boolean tls, String san) {
    static InstanceAddress of(ScrapeTarget<?> target) {
        return new InstanceAddress(target.host(), target.connectPort(), target.tls(),
                target.serverCertDomainSan().orElse(""));
    }

    @Override
    public String toString() {
        return (tls ? "https://" : "http://") + host + ":" + port;
    }
}
