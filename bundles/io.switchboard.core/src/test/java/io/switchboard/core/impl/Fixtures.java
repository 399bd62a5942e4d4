package io.switchboard.core.impl;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.core.TableEdit;

/** Table entries for tests. */
final class Fixtures {
    private Fixtures() {
    }

    static HandlerEntry handler(String type, long serviceId) {
        return new HandlerEntry(type, (flow, message) -> { }, serviceId, "test.bundle", null);
    }

    /**
     * Queues a marker edit after everything this thread queued before and waits until it is visible:
     * the edits queued before it have then been applied, including those that changed nothing.
     */
    static void fence(SwitchingCore core) {
        HandlerEntry marker = handler("fence-" + System.nanoTime(), Long.MIN_VALUE);
        core.edit(TableEdit.putHandler(marker));
        Poll.until(() -> core.table().handlers().get(marker.type()) == marker, () -> "fence edit never became visible");
        core.edit(TableEdit.removeHandler(marker));
        Poll.until(() -> !core.table().handlers().containsKey(marker.type()), () -> "fence removal never became visible");
    }
}
