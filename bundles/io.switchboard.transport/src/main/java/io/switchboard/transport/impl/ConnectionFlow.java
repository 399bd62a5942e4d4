package io.switchboard.transport.impl;

import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.switchboard.api.Endpoint;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.TrackedFlow;
import java.net.InetSocketAddress;

/**
 * A flow as the transport keeps it: one per accepted connection or datagram flow, held by the
 * connection (channel attribute {@link #KEY}) and used only by whoever holds its current message.
 * The reassignment and the endpoint are fields of the flow: setting them costs no lock, no ring
 * publish and no wake-up. It is in the connection table (its loop's shelf) from {@link #open} to
 * {@link #close}, both called on that loop.
 */
final class ConnectionFlow implements TrackedFlow {
    /** The channel attribute holding a connection's flow; looked up by name, so every transport version shares it. */
    static final AttributeKey<TrackedFlow> KEY = AttributeKey.valueOf("switchboard.flow");

    private final SharedRefs refs;
    /** The connection table's shelf of the flow's loop, and the flow's stamp there (0: not listed). Loop only. */
    private final ConnectionTable.LoopFlows shelf;
    private long stamp;
    private final long id;
    private final String frontend;
    private final String protocol;
    private final String cluster;
    private final InetSocketAddress client;
    private final InetSocketAddress local;
    private final long opened = System.currentTimeMillis();

    private volatile Endpoint endpoint;
    /** What an HTTP connection switched to (101), or null: written once by the flow's loop, read by the shell. */
    private volatile String upgrade;
    private volatile Reassignment reassignment;
    private volatile long reassignedMillis;
    private volatile long messages;
    private volatile long bytesIn;
    private volatile long bytesOut;
    private volatile boolean closed;

    /** A new flow, entered in the connection table; called on the event loop that owns it. */
    static ConnectionFlow open(SharedRefs refs, EventLoop loop, String frontend, String protocol, String cluster, InetSocketAddress client,
                               InetSocketAddress local) {
        ConnectionTable.LoopFlows shelf = refs.table.on(loop);
        ConnectionFlow f = new ConnectionFlow(refs, shelf, frontend, protocol, cluster, client, local);
        f.stamp = shelf.opened(f);
        return f;
    }

    private ConnectionFlow(SharedRefs refs, ConnectionTable.LoopFlows shelf, String frontend, String protocol, String cluster,
                           InetSocketAddress client, InetSocketAddress local) {
        this.refs = refs;
        this.shelf = shelf;
        this.id = shelf.nextId();
        this.frontend = frontend;
        this.protocol = protocol;
        this.cluster = cluster;
        this.client = client;
        this.local = local;
    }

    @Override public long id() { return id; }
    @Override public String frontend() { return frontend; }
    @Override public String protocol() { return protocol; }
    @Override public String cluster() { return cluster; }
    @Override public InetSocketAddress clientAddress() { return client; }
    @Override public InetSocketAddress localAddress() { return local; }
    @Override public String attribute(String name) { return null; }
    @Override public long messages() { return messages; }
    @Override public long openedMillis() { return opened; }
    @Override public long bytesIn() { return bytesIn; }
    @Override public long bytesOut() { return bytesOut; }
    @Override public Reassignment reassignment() { return reassignment; }
    @Override public long reassignedMillis() { return reassignedMillis; }
    @Override public boolean closed() { return closed; }
    @Override public Endpoint endpoint() { return endpoint; }
    @Override public String upgrade() { return upgrade; }
    @Override public void upgraded(String protocol) { upgrade = protocol; }

    @Override
    public void endpoint(Endpoint e) {
        if (endpoint != e) { // a keep-alive connection mostly stays on one endpoint: no store, no fence
            endpoint = e;
        }
    }

    // One writer each: the holder of the flow's current message.
    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    @Override public void countMessage() { messages++; }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    @Override public void countIn(long bytes) { bytesIn += bytes; }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    @Override public void countOut(long bytes) { bytesOut += bytes; }

    /** The flow ended; on its event loop. Leaves the connection table once, however often it is called. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        shelf.closed(this, stamp);
    }

    @Override
    public String owner() {
        Reassignment r = reassignment;
        return r == null ? FlowHandler.DEFAULT_TYPE : r.type();
    }

    @Override
    public void track(Reassignment r) {
        Reassignment before = reassignment;
        if (r == null) {
            reassignedMillis = 0;
        } else if (before == null || !before.type().equals(r.type())) {
            reassignedMillis = System.currentTimeMillis(); // a scope counting down keeps its start
        }
        reassignment = r;
    }

    @Override
    public boolean reassign(Reassignment r) {
        IntelligentSwitch s = refs.switchboard.get();
        if (closed || s == null || !s.serves(r.type())) {
            return false;
        }
        track(r);
        return true;
    }

    @Override
    public boolean handBack() {
        Reassignment r = reassignment;
        if (r == null || r.scope() == Reassignment.Scope.REST_OF_FLOW) {
            return false;
        }
        track(null);
        return true;
    }

    @Override
    public String toString() {
        Endpoint e = endpoint;
        return "flow " + id + " " + protocol + " " + client + " -> " + frontend + (e == null ? "" : " -> " + e) + " owner " + owner();
    }
}
