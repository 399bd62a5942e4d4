package io.switchboard.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One frontend: its spec, the protocol binding new connections get, its listening sockets, its
 * live connections and its counters. Connections and counters are kept per event loop
 * ({@link OnLoop}): accepting a connection or counting a request writes only what its own loop
 * writes, and readers (drains, stops, status) go over every loop. They are JDK containers that the
 * next transport version keeps, so that connections accepted by an older version are still
 * counted, drained and closed by the newer one.
 */
final class Frontend {
    private static final int CONNECTIONS = 0;
    private static final int REQUESTS = 1;

    private volatile FrontendSpec spec;
    /** The protocol binding new connections (or datagram flows) get; null until the protocol is there. */
    private volatile Object binding;
    /** Who serves new connections: bundle name and version. */
    private volatile String servedBy;
    private volatile String error;
    /** Listening sockets: one per accepting event loop (SO_REUSEPORT), or the one datagram socket. */
    final List<Channel> listeners = new CopyOnWriteArrayList<>();
    /** Live connections by loop; each set is written by its loop only. */
    private final ConcurrentHashMap<EventLoop, Set<Channel>> connections;
    /** Connections, requests by loop: written by the loop only (opaque stores, no atomic instruction). */
    private final ConcurrentHashMap<EventLoop, AtomicLongArray> counts;
    /** Counts from before the per-loop counts, and from paths off the loops. */
    final LongAdder totalConnections;
    final LongAdder requests;
    final LongAdder refused;
    /** The connection set of a version from before the per-loop sets: its connections until they close. */
    private final Set<Channel> legacyConnections;
    /** This version's view of each loop's part. */
    private final ConcurrentHashMap<EventLoop, OnLoop> views = new ConcurrentHashMap<>();
    /** The datagram socket's flows, when the frontend speaks a datagram protocol. */
    volatile DatagramSocketControl datagrams;

    Frontend(FrontendSpec spec) {
        this(spec, new ConcurrentHashMap<>(), Set.of(), new ConcurrentHashMap<>(), new LongAdder(), new LongAdder(), new LongAdder());
    }

    private Frontend(FrontendSpec spec, ConcurrentHashMap<EventLoop, Set<Channel>> connections, Set<Channel> legacyConnections,
                     ConcurrentHashMap<EventLoop, AtomicLongArray> counts, LongAdder total, LongAdder requests, LongAdder refused) {
        this.spec = spec;
        this.connections = connections;
        this.legacyConnections = legacyConnections;
        this.counts = counts;
        this.totalConnections = total;
        this.requests = requests;
        this.refused = refused;
    }

    /** The frontend on a new socket: fresh connection sets, the same counters. */
    Frontend moved(FrontendSpec to) {
        return new Frontend(to, new ConcurrentHashMap<>(), Set.of(), counts, totalConnections, requests, refused);
    }

    /** What the next transport version adopts. */
    Map<String, Object> leave() {
        Map<String, Object> m = new java.util.HashMap<>(Map.of("spec", spec, "listeners", List.copyOf(listeners),
                "connectionsByLoop", connections, "legacyConnections", legacyConnections, "countsByLoop", counts,
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
        Frontend f;
        if (left.containsKey("connectionsByLoop")) {
            f = new Frontend((FrontendSpec) left.get("spec"), (ConcurrentHashMap<EventLoop, Set<Channel>>) left.get("connectionsByLoop"),
                    (Set<Channel>) left.get("legacyConnections"), (ConcurrentHashMap<EventLoop, AtomicLongArray>) left.get("countsByLoop"),
                    c[0], c[1], c[2]);
        } else { // a version with one set for every loop
            f = new Frontend((FrontendSpec) left.get("spec"), new ConcurrentHashMap<>(), (Set<Channel>) left.get("connections"),
                    new ConcurrentHashMap<>(), c[0], c[1], c[2]);
        }
        Map<String, Object> d = (Map<String, Object>) left.get("datagrams");
        if (!d.isEmpty()) {
            f.datagrams = DatagramSocketControl.adopt(d);
        }
        return f;
    }

    /** The frontend's part on a loop; called on that loop. */
    OnLoop on(EventLoop loop) {
        OnLoop v = views.get(loop);
        if (v == null) {
            v = new OnLoop(connections.computeIfAbsent(loop, l -> ConcurrentHashMap.newKeySet()),
                    counts.computeIfAbsent(loop, l -> new AtomicLongArray(2)));
            views.put(loop, v);
        }
        return v;
    }

    /** The live connections now, every loop's (a copy: drains and stops go over it). */
    List<Channel> connections() {
        List<Channel> all = new ArrayList<>(legacyConnections);
        for (Set<Channel> s : connections.values()) {
            all.addAll(s);
        }
        return all;
    }

    long connectionCount() {
        long n = legacyConnections.size();
        for (Set<Channel> s : connections.values()) {
            n += s.size();
        }
        return n;
    }

    private long sum(int counter) {
        long n = 0;
        for (AtomicLongArray a : counts.values()) {
            n += a.getOpaque(counter);
        }
        return n;
    }

    long totalConnections() { return totalConnections.sum() + sum(CONNECTIONS); }

    long requests() { return requests.sum() + sum(REQUESTS); }

    /** One loop's connections and counters, written by that loop only. */
    static final class OnLoop {
        private final Set<Channel> connections;
        private final AtomicLongArray counts;

        OnLoop(Set<Channel> connections, AtomicLongArray counts) {
            this.connections = connections;
            this.counts = counts;
        }

        /** A connection accepted on the loop: counted, and in the set until {@link #closed}. */
        void opened(Channel ch) {
            add(CONNECTIONS, 1);
            connections.add(ch);
        }

        void closed(Channel ch) {
            connections.remove(ch);
        }

        /** A request (or datagram flow) started on the loop. */
        void requestStarted() {
            add(REQUESTS, 1);
        }

        /** A datagram flow opened: one connection and one request. */
        void flowOpened() {
            add(CONNECTIONS, 1);
            add(REQUESTS, 1);
        }

        private void add(int counter, long n) {
            counts.setOpaque(counter, counts.getPlain(counter) + n); // one writer: no lost update, no lock prefix
        }
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

    FrontendStatus status() {
        DatagramSocketControl d = datagrams;
        long active = d != null ? d.flowCount() : connectionCount();
        return new FrontendStatus(spec, boundPort(), error, active, totalConnections(), requests(), refused.sum(),
                d != null ? (listener() == null ? 0 : 1) : listeners.size(), servedBy);
    }
}
