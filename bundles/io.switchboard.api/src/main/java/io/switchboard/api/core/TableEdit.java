package io.switchboard.api.core;

import java.util.Objects;

/** One change to the switch table, applied by the control ring's single writer. */
public final class TableEdit {
    /** What changes. */
    public enum Kind { PUT_HANDLER, REMOVE_HANDLER }

    private final Kind kind;
    private final HandlerEntry handler;

    private TableEdit(Kind kind, HandlerEntry handler) {
        this.kind = kind;
        this.handler = Objects.requireNonNull(handler);
    }

    /** Registers a handler for its type (replacing one registered before, if any). */
    public static TableEdit putHandler(HandlerEntry handler) {
        return new TableEdit(Kind.PUT_HANDLER, handler);
    }

    /** Removes the handler, if it is still the one registered for its type. */
    public static TableEdit removeHandler(HandlerEntry handler) {
        return new TableEdit(Kind.REMOVE_HANDLER, handler);
    }

    public Kind kind() { return kind; }
    public HandlerEntry handler() { return handler; }
}
