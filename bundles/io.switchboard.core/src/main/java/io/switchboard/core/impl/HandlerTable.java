package io.switchboard.core.impl;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.SwitchTable;
import java.util.Map;

/** One immutable version of the switch table: the handlers by type. */
final class HandlerTable implements SwitchTable {
    static final HandlerTable EMPTY = new HandlerTable(0, Map.of());

    private final long version;
    private final Map<String, HandlerEntry> handlers;

    HandlerTable(long version, Map<String, HandlerEntry> handlers) {
        this.version = version;
        this.handlers = handlers;
    }

    @Override public long version() { return version; }
    @Override public Map<String, HandlerEntry> handlers() { return handlers; }
}
