package io.promfetcher.routes;

/**
 * The route table's part of the gateway's health: whether NATS is connected, whether the table is
 * still warming up (not ready: unknown apps get 503), and one line for operators.
 */
public record RoutesHealth(boolean natsConnected, boolean warmingUp, String detail) {
    /** Ready to answer 404 for unknown apps. */
    public boolean ready() {
        return !warmingUp;
    }
}
