package io.switchboard.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * One frontend: its spec, the protocol binding new connections get, its listening sockets, its
 * live connections and its counters. The connection set and the counters are JDK containers that
 * the next transport version keeps, so that connections accepted by an older version are still
 * counted, drained and closed by the newer one.
 */
final class Frontend {
    private volatile FrontendSpec spec;
    /** The protocol binding new connections (or datagram flows) get; null until the protocol is there. */
    private volatile Object binding;
    /** Who serves new connections: bundle name and version. */
    private volatile String servedBy;
    private volatile String error;
    /** Listening sockets: one per accepting event loop (SO_REUSEPORT), or the one datagram socket. */
    final List<Channel> listeners = new CopyOnWriteArrayList<>();
    final Set<Channel> connections;
    final LongAdder totalConnections;
    final LongAdder requests;
    final LongAdder refused;
    /** The datagram socket's flows, when the frontend speaks a datagram protocol. */
    volatile DatagramSocketControl datagrams;

    Frontend(FrontendSpec spec) {
        this(spec, ConcurrentHashMap.newKeySet(), new LongAdder(), new LongAdder(), new LongAdder());
    }

    private Frontend(FrontendSpec spec, Set<Channel> connections, LongAdder total, LongAdder requests, LongAdder refused) {
        this.spec = spec;
        this.connections = connections;
        this.totalConnections = total;
        this.requests = requests;
        this.refused = refused;
    }

    /** The frontend on a new socket: a fresh connection set, the same counters. */
    Frontend moved(FrontendSpec to) {
        return new Frontend(to, ConcurrentHashMap.newKeySet(), totalConnections, requests, refused);
    }

    /** What the next transport version adopts. */
    Map<String, Object> leave() {
        Map<String, Object> m = new java.util.HashMap<>(Map.of("spec", spec, "listeners", List.copyOf(listeners), "connections", connections,
                "counters", new LongAdder[] {totalConnections, requests, refused},
                "datagrams", datagrams == null ? Map.of() : datagrams.leave()));
        if (binding instanceof SecureBinding) {
            m.put("tls", ((SecureBinding) binding).tls); // an API type: the next version stops its file watch
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static Frontend adopt(Map<String, Object> left) {
        LongAdder[] c = (LongAdder[]) left.get("counters");
        Frontend f = new Frontend((FrontendSpec) left.get("spec"), (Set<Channel>) left.get("connections"), c[0], c[1], c[2]);
        Map<String, Object> d = (Map<String, Object>) left.get("datagrams");
        if (!d.isEmpty()) {
            f.datagrams = DatagramSocketControl.adopt(d);
        }
        return f;
    }

    FrontendSpec spec() { return spec; }

    void spec(FrontendSpec s) { spec = s; }

    Object binding() { return binding; }

    void binding(Object b, String by) {
        binding = b;
        servedBy = by;
    }

    String servedBy() { return servedBy; }

    String error() { return error; }

    void error(String e) { error = e; }

    /** The first listener, or null when the frontend does not listen. */
    Channel listener() {
        List<Channel> l = listeners;
        return l.isEmpty() ? null : l.get(0);
    }

    /** The port the frontend listens on, or -1. */
    int boundPort() {
        Channel l = listener();
        return l != null && l.isActive() ? ((InetSocketAddress) l.localAddress()).getPort() : -1;
    }

    /**
     * The valid-service filter: the cluster serving the connection's destination, or null after
     * resetting a connection whose destination is no virtual service of this frontend.
     */
    String admit(Channel ch) {
        String cluster = spec.clusterFor((InetSocketAddress) ch.localAddress());
        if (cluster == null) {
            refused.increment();
            ch.config().setOption(ChannelOption.SO_LINGER, 0); // close sends RST, not FIN
            ch.close();
        }
        return cluster;
    }

    /** Called on the connection's event loop as it is accepted. */
    void opened(Channel ch) {
        totalConnections.increment();
        connections.add(ch);
        ch.closeFuture().addListener(f -> connections.remove(ch));
    }

    FrontendStatus status() {
        DatagramSocketControl d = datagrams;
        long active = d != null ? d.flowCount() : connections.size();
        return new FrontendStatus(spec, boundPort(), error, active, totalConnections.sum(), requests.sum(), refused.sum(),
                d != null ? (listener() == null ? 0 : 1) : listeners.size(), servedBy);
    }
}
