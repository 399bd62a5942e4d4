package io.switchboard.core.impl;

import com.lmax.disruptor.EventHandler;
import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.TableEdit;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The control ring's single consumer: applies edits to its private working copy and, at the end of
 * each batch, publishes one immutable table. Only this thread ever writes the table.
 */
final class TableWriter implements EventHandler<EditEvent> {
    private final Map<String, HandlerEntry> handlers = new HashMap<>();
    private final Consumer<HandlerTable> publish;
    private long version;
    private boolean changed;

    /** A writer that starts from a table (a new control ring taking over from an older one). */
    TableWriter(Consumer<HandlerTable> publish, HandlerTable from) {
        this.publish = publish;
        this.handlers.putAll(from.handlers());
        this.version = from.version();
    }

    @Override
    public void onEvent(EditEvent event, long sequence, boolean endOfBatch) {
        TableEdit edit = event.edit;
        event.edit = null;
        if (edit != null) {
            apply(edit);
        }
        if (endOfBatch && changed) {
            changed = false;
            publish.accept(new HandlerTable(++version, Collections.unmodifiableMap(new HashMap<>(handlers))));
        }
    }

    private void apply(TableEdit edit) {
        HandlerEntry h = edit.handler();
        switch (edit.kind()) {
            case PUT_HANDLER:
                handlers.put(h.type(), h);
                changed = true;
                break;
            case REMOVE_HANDLER: {
                HandlerEntry current = handlers.get(h.type());
                if (current != null && current.serviceId() == h.serviceId()) {
                    handlers.remove(h.type());
                    changed = true;
                }
                break;
            }
            default:
                throw new IllegalStateException("unknown edit " + edit.kind());
        }
    }
}
