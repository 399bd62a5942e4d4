package io.switchboard.core.impl;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.ReassignmentRecord;
import io.switchboard.api.core.SwitchTable;
import java.util.Map;

/** An immutable switch-table version. */
final class Table implements SwitchTable {
    static final Table EMPTY = new Table(0, Map.of(), Map.of());

    private final long version;
    private final Map<String, HandlerEntry> handlers;
    private final Map<Long, ReassignmentRecord> reassignments;

    Table(long version, Map<String, HandlerEntry> handlers, Map<Long, ReassignmentRecord> reassignments) {
        this.version = version;
        this.handlers = handlers;
        this.reassignments = reassignments;
    }

    @Override public long version() { return version; }
    @Override public Map<String, HandlerEntry> handlers() { return handlers; }
    @Override public Map<Long, ReassignmentRecord> reassignments() { return reassignments; }
}
