package io.switchboard.api.core;

import io.switchboard.api.flow.Reassignment;

/** A flow's reassignment as the switch table records it. */
public final class ReassignmentRecord {
    private final long flowId;
    private final String frontend;
    private final String client;
    private final Reassignment reassignment;
    private final long sinceMillis;

    public ReassignmentRecord(long flowId, String frontend, String client, Reassignment reassignment, long sinceMillis) {
        this.flowId = flowId;
        this.frontend = frontend;
        this.client = client;
        this.reassignment = reassignment;
        this.sinceMillis = sinceMillis;
    }

    public long flowId() { return flowId; }
    public String frontend() { return frontend; }
    public String client() { return client; }
    public Reassignment reassignment() { return reassignment; }
    public long sinceMillis() { return sinceMillis; }
}
