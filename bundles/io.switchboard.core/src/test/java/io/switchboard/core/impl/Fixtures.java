package io.switchboard.core.impl;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.ReassignmentRecord;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.core.TableEdit;
import io.switchboard.api.flow.Reassignment;

/** Table entries for tests. */
final class Fixtures {
    private Fixtures() {
    }

    static HandlerEntry handler(String type, long serviceId) {
        return new HandlerEntry(type, (flow, message) -> { }, serviceId, "test.bundle", null);
    }

    static ReassignmentRecord record(long flowId, String frontend) {
        return new ReassignmentRecord(flowId, frontend, "127.0.0.1:40000", Reassignment.restOfFlow("special"), 0);
    }

    /**
     * Queues a marker edit after everything this thread queued before and waits until it is visible:
     * the edits queued before it have then been applied, including those that changed nothing.
     */
    static void fence(SwitchingCore core) {
        long flowId = Long.MIN_VALUE; // never used by the tests for anything else
        ReassignmentRecord marker = record(flowId, "fence-" + System.nanoTime());
        core.edit(TableEdit.reassigned(marker));
        Poll.until(() -> core.table().reassignments().get(flowId) == marker, () -> "fence edit never became visible");
        core.edit(TableEdit.released(flowId));
        Poll.until(() -> !core.table().reassignments().containsKey(flowId), () -> "fence release never became visible");
    }
}
