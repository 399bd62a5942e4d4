package io.switchboard.intelligentswitch.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.TrackedFlow;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/** A flow as the transport keeps one (its tracking in its own fields), for the switch's tests. */
final class TestFlow implements TrackedFlow {
    private static final AtomicLong IDS = new AtomicLong();

    private final IntelligentSwitch sw;
    private final long id = IDS.incrementAndGet();
    private final String protocol;
    private volatile Reassignment reassignment;
    private volatile long since;
    private volatile long messages;

    TestFlow(IntelligentSwitch sw, String protocol) {
        this.sw = sw;
        this.protocol = protocol;
    }

    @Override public long id() { return id; }
    @Override public String protocol() { return protocol; }
    @Override public InetSocketAddress localAddress() { return new InetSocketAddress("127.0.0.1", 8080); }
    @Override public String cluster() { return "web"; }
    @Override public String frontend() { return "fe"; }
    @Override public InetSocketAddress clientAddress() { return new InetSocketAddress("127.0.0.1", 40000); }
    @Override public String attribute(String name) { return null; }
    @Override public long messages() { return messages; }
    @Override public void countIn(long bytes) { }
    @Override public void countOut(long bytes) { }
    @Override public long bytesIn() { return 0; }
    @Override public long bytesOut() { return 0; }
    @Override public long openedMillis() { return 0; }
    @Override public Reassignment reassignment() { return reassignment; }
    @Override public long reassignedMillis() { return since; }
    @Override public boolean closed() { return false; }
    @Override public Endpoint endpoint() { return null; }
    @Override public void endpoint(Endpoint e) { }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    @Override public void countMessage() { messages++; }

    @Override
    public void track(Reassignment r) {
        since = r == null ? 0 : System.currentTimeMillis();
        reassignment = r;
    }

    @Override
    public String owner() {
        Reassignment r = reassignment;
        return r == null ? FlowHandler.DEFAULT_TYPE : r.type();
    }

    @Override
    public boolean reassign(Reassignment r) {
        if (!sw.serves(r.type())) {
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
}
