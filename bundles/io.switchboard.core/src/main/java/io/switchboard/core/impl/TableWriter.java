package io.switchboard.core.impl;

import com.lmax.disruptor.EventHandler;
import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.ReassignmentRecord;
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
    private final Map<Long, ReassignmentRecord> reassignments = new HashMap<>();
    private final Consumer<Table> publish;
    private long version;
    private boolean handlersChanged;
    private boolean reassignmentsChanged;
    private Map<String, HandlerEntry> publishedHandlers = Map.of();
    private Map<Long, ReassignmentRecord> publishedReassignments = Map.of();

    TableWriter(Consumer<Table> publish) {
        this.publish = publish;
    }

    @Override
    public void onEvent(EditEvent event, long sequence, boolean endOfBatch) {
        TableEdit edit = event.edit;
        event.edit = null;
        if (edit != null) {
            apply(edit);
        }
        if (endOfBatch && (handlersChanged || reassignmentsChanged)) {
            if (handlersChanged) {
                publishedHandlers = Collections.unmodifiableMap(new HashMap<>(handlers));
            }
            if (reassignmentsChanged) {
                publishedReassignments = Collections.unmodifiableMap(new HashMap<>(reassignments));
            }
            handlersChanged = false;
            reassignmentsChanged = false;
            publish.accept(new Table(++version, publishedHandlers, publishedReassignments));
        }
    }

    private void apply(TableEdit edit) {
        switch (edit.kind()) {
            case PUT_HANDLER:
                handlers.put(edit.handler().type(), edit.handler());
                handlersChanged = true;
                break;
            case REMOVE_HANDLER: {
                HandlerEntry current = handlers.get(edit.handler().type());
                if (current != null && current.serviceId() == edit.key()) {
                    handlers.remove(edit.handler().type());
                    handlersChanged = true;
                }
                break;
            }
            case REASSIGNED:
                reassignments.put(edit.key(), edit.record());
                reassignmentsChanged = true;
                break;
            case RELEASED:
                reassignmentsChanged |= reassignments.remove(edit.key()) != null;
                break;
            default:
                throw new IllegalStateException("unknown edit " + edit.kind());
        }
    }
}
