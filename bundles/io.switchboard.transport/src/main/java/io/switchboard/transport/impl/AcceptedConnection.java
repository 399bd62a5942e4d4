package io.switchboard.transport.impl;

import io.netty.channel.socket.SocketChannel;
import io.switchboard.api.flow.Message;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.telemetry.TrafficMeter;
import io.switchboard.api.transport.BackendPool;
import io.switchboard.api.transport.Connection;
import java.net.InetSocketAddress;

/** A connection a frontend accepted, as the protocol sees it. */
final class AcceptedConnection implements Connection {
    private final SocketChannel channel;
    private final ConnectionFlow flow;
    private final String cluster;
    private final SharedRefs refs;
    private final Frontend.OnLoop counts;
    private TrafficMeter meter;

    AcceptedConnection(SocketChannel channel, ConnectionFlow flow, String cluster, SharedRefs refs, Frontend.OnLoop counts) {
        this.channel = channel;
        this.flow = flow;
        this.cluster = cluster;
        this.refs = refs;
        this.counts = counts;
    }

    @Override public SocketChannel channel() { return channel; }
    @Override public TrackedFlow flow() { return flow; }
    @Override public InetSocketAddress clientAddress() { return flow.clientAddress(); }
    @Override public String cluster() { return cluster; }
    @Override public BackendPool backends() { return refs.pool.get(); }
    @Override public void requestStarted() { counts.requestStarted(); }

    @Override
    public TrafficMeter meter() {
        if (meter == null) { // on the connection's loop, like every use of it
            meter = refs.traffic.meter(channel.eventLoop(), flow.frontend());
        }
        return meter;
    }

    @Override
    public void route(Message message) {
        refs.route(channel.eventLoop(), flow, message);
    }
}
