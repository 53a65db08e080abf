package io.promfetcher.routes;

/**
 * A route announcement that cannot be applied. Carries no stack trace: a flood of bad messages
 * must stay cheap, and the reason plus detail say everything.
 */
public final class MalformedMessageException extends Exception {
    private final MalformedReason reason;

    public MalformedMessageException(MalformedReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public MalformedReason reason() {
        return reason;
    }
}
