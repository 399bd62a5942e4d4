package io.switchboard.intelligentswitch.impl;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.ReassignmentRecord;
import io.switchboard.api.core.TableEdit;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.runtime.Protocol;
import io.switchboard.api.switching.TrackedFlow;
import java.net.InetSocketAddress;

/**
 * A flow and its reassignment tracking. Written by the flow's event loop (and, for a handler on its
 * own threads, by that handler's thread, one message at a time): the fields a handler may change are
 * volatile, the counters have one writer each.
 */
final class SwitchedFlow implements TrackedFlow {
    private final SwitchManager owner;
    private final long id;
    private final String frontend;
    private final Protocol protocol;
    private final String cluster;
    private final InetSocketAddress client;
    private final InetSocketAddress local;
    private final long opened = System.currentTimeMillis();

    /** The reassignment in force, or null: owned by the default handler. */
    volatile Reassignment reassignment;
    /** Messages still covered by a NEXT_MESSAGES reassignment. */
    volatile int remaining;
    /** Service id of the handler the flow was reassigned to: another id means it went away. */
    volatile long handlerServiceId;
    /** Set by reassign() while the default handler holds the current message: pass it on. */
    volatile boolean reassignedDuringCall;
    volatile boolean handBackRequested;
    volatile boolean closed;

    private volatile long messages;
    private volatile long bytesIn;
    private volatile long bytesOut;

    SwitchedFlow(SwitchManager owner, long id, String frontend, Protocol protocol, String cluster,
                 InetSocketAddress client, InetSocketAddress local) {
        this.owner = owner;
        this.id = id;
        this.frontend = frontend;
        this.protocol = protocol;
        this.cluster = cluster;
        this.client = client;
        this.local = local;
    }

    @Override public long id() { return id; }
    @Override public String frontend() { return frontend; }
    @Override public Protocol protocol() { return protocol; }
    @Override public String cluster() { return cluster; }
    @Override public InetSocketAddress clientAddress() { return client; }
    @Override public InetSocketAddress localAddress() { return local; }
    @Override public String attribute(String name) { return null; }
    @Override public long messages() { return messages; }
    @Override public long openedMillis() { return opened; }

    @SuppressWarnings("NonAtomicOperationOnVolatileField") // one writer: the flow's current message holder
    void countMessage() { messages++; }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    @Override public void countIn(long bytes) { bytesIn += bytes; }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    @Override public void countOut(long bytes) { bytesOut += bytes; }

    @Override public long bytesIn() { return bytesIn; }
    @Override public long bytesOut() { return bytesOut; }

    @Override
    public String owner() {
        Reassignment r = reassignment;
        return r == null ? FlowHandler.DEFAULT_TYPE : r.type();
    }

    @Override
    public boolean reassign(Reassignment r) {
        if (closed) {
            return false;
        }
        HandlerEntry h = owner.handler(r.type());
        if (h == null) {
            return false;
        }
        handlerServiceId = h.serviceId();
        remaining = r.scope() == Reassignment.Scope.NEXT_MESSAGES ? r.messages() : 0;
        reassignment = r;
        reassignedDuringCall = true;
        handBackRequested = false;
        owner.reassigned(this, r);
        return true;
    }

    @Override
    public boolean handBack() {
        Reassignment r = reassignment;
        if (r == null || r.scope() == Reassignment.Scope.REST_OF_FLOW) {
            return false;
        }
        handBackRequested = true;
        return true;
    }

    /** Back to the default handler; the switch table forgets the reassignment. */
    void release() {
        if (reassignment != null) {
            reassignment = null;
            handBackRequested = false;
            owner.core().edit(TableEdit.released(id));
        }
    }

    ReassignmentRecord record(Reassignment r) {
        return new ReassignmentRecord(id, frontend, client == null ? "-" : client.getAddress().getHostAddress() + ":" + client.getPort(),
                r, System.currentTimeMillis());
    }

    @Override
    public String toString() {
        return "flow " + id + " " + protocol.name().toLowerCase() + " " + client + " -> " + frontend + " owner " + owner();
    }
}
