package io.switchboard.api.core;

import java.util.Objects;

/** One change to the switch table, applied by the control ring's single writer. */
public final class TableEdit {
    /** What changes. */
    public enum Kind { PUT_HANDLER, REMOVE_HANDLER, REASSIGNED, RELEASED }

    private final Kind kind;
    private final HandlerEntry handler;
    private final ReassignmentRecord record;
    private final long key;

    private TableEdit(Kind kind, HandlerEntry handler, ReassignmentRecord record, long key) {
        this.kind = kind;
        this.handler = handler;
        this.record = record;
        this.key = key;
    }

    /** Registers a handler for its type (replacing one registered before, if any). */
    public static TableEdit putHandler(HandlerEntry handler) {
        return new TableEdit(Kind.PUT_HANDLER, Objects.requireNonNull(handler), null, handler.serviceId());
    }

    /** Removes the handler registered under this service id. */
    public static TableEdit removeHandler(HandlerEntry handler) {
        return new TableEdit(Kind.REMOVE_HANDLER, Objects.requireNonNull(handler), null, handler.serviceId());
    }

    public static TableEdit reassigned(ReassignmentRecord record) {
        return new TableEdit(Kind.REASSIGNED, null, Objects.requireNonNull(record), record.flowId());
    }

    public static TableEdit released(long flowId) {
        return new TableEdit(Kind.RELEASED, null, null, flowId);
    }

    public Kind kind() { return kind; }
    public HandlerEntry handler() { return handler; }
    public ReassignmentRecord record() { return record; }
    /** The handler's service id, or the flow id. */
    public long key() { return key; }
}
