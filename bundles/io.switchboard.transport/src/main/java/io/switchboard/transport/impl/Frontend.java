package io.switchboard.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/** One frontend: its listening socket, its live connections and its counters. */
public final class Frontend {
    /** Sent down every connection's pipeline when the frontend drains: finish the current request, then close. */
    public static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private volatile FrontendSpec spec;
    /** Listening sockets: one per accepting event loop, all bound to the same address (SO_REUSEPORT). */
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();
    private volatile String error;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder refused = new LongAdder();

    Frontend(FrontendSpec spec) {
        this.spec = spec;
    }

    public FrontendSpec spec() { return spec; }

    void spec(FrontendSpec newSpec) { this.spec = newSpec; }

    /** The frontend listens on this channel (its first or only one). */
    void listening(Channel channel) {
        listeners.clear();
        listeners.add(channel);
        this.error = null;
    }

    /** One more event loop accepts on the frontend's address. */
    void addListener(Channel channel) {
        listeners.add(channel);
    }

    /** The most recently added listener, taken out of the list; null when only one is left. */
    Channel removeLastListener() {
        int n = listeners.size();
        return n > 1 ? listeners.remove(n - 1) : null;
    }

    void failed(String why) {
        listeners.clear();
        this.error = why;
    }

    /** The first listener, or null when the frontend does not listen. */
    Channel listener() {
        List<Channel> l = listeners;
        return l.isEmpty() ? null : l.get(0);
    }

    List<Channel> listeners() { return listeners; }

    /** Closes every listener and waits for it; returns how many there were. */
    int closeListeners() {
        int n = 0;
        for (Channel l : listeners) {
            l.close().awaitUninterruptibly();
            n++;
        }
        return n;
    }

    ChannelGroup connections() { return connections; }

    /** Called on the connection's event loop when it becomes active. */
    public void opened(Channel ch) {
        totalConnections.increment();
        connections.add(ch); // removed by the group itself when the channel closes
    }

    public void requestStarted() {
        requests.increment();
    }

    /**
     * The valid-service filter: the cluster serving the connection's destination, or null after
     * resetting a connection whose destination is no virtual service of this frontend.
     */
    public String admit(Channel ch) {
        String cluster = spec.clusterFor((InetSocketAddress) ch.localAddress());
        if (cluster == null) {
            refused.increment();
            ch.config().setOption(ChannelOption.SO_LINGER, 0); // close sends RST, not FIN
            ch.close();
        }
        return cluster;
    }

    /** A datagram for no virtual service was dropped. */
    public void refusedDatagram() {
        refused.increment();
    }

    FrontendStatus status() {
        Channel l = listener();
        int port = l != null && l.isActive() ? ((InetSocketAddress) l.localAddress()).getPort() : -1;
        return new FrontendStatus(spec, port, error, connections.size(), totalConnections.sum(), requests.sum(), refused.sum(), listeners.size());
    }
}
