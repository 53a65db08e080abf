package io.promfetcher.broker;

import java.sql.SQLException;

/**
 * The broker's database could not be used (unreachable, refused the login, timed out, failed
 * mid-transaction). Broker calls answer it as 503; the bindings already loaded stay in force.
 * The message is one line fit for an operator, without credentials.
 */
public final class BrokerUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    static BrokerUnavailableException from(Exception e) {
        if (e instanceof BrokerUnavailableException already) {
            return already;
        }
        return new BrokerUnavailableException(reason(e), e);
    }

    /** The innermost message, which names the real problem ("Connection refused", "password authentication failed"). */
    private static String reason(Throwable e) {
        Throwable t = e;
        String message = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        if (message == null || message.isBlank()) {
            message = t.getClass().getSimpleName();
        }
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? " (SQL state " + sql.getSQLState() + ")" : "";
        return BrokerDatabase.withoutSecrets(message.replaceAll("\\s+", " ").strip()) + state;
    }
}
