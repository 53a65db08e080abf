package io.promfetcher.exposition;

/**
 * Why an exposition was refused, and where: 1-based line and byte column of the offending input.
 * The only exception the parser throws on bad input.
 */
public final class ExpositionParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String reason;

    public ExpositionParseException(int line, int column, String reason) {
        super("line " + line + ", column " + column + ": " + reason);
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The message without its position. */
    public String reason() {
        return reason;
    }
}
