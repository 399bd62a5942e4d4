package io.switchboard.handler.udp.impl;

import io.netty.buffer.ByteBuf;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.transport.DatagramFlow;
import io.switchboard.api.transport.DatagramFlowHandler;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One client's datagrams, once the transport opened its flow: each goes through the intelligent
 * switch as a message until a handler forwards the flow; then the flow has a connected socket to
 * one endpoint on the same loop (its {@link Upstream}), its later datagrams go straight there and
 * every reply returns to the client from the frontend's socket. Used only on the flow's event loop.
 */
final class UdpRelay implements DatagramFlowHandler {
    /** An endpoint that refused this flow's datagrams is not chosen again for this long. */
    static final long REFUSED_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final DatagramFlow flow;
    private final UdpProtocol protocol;
    /** The socket to the chosen endpoint (connecting or connected), or null. */
    private Upstream upstream;
    /** Endpoints that refused this flow (ICMP port unreachable) recently; null when none. */
    private Set<String> refused;
    private long refusedSince;
    private boolean closed;
    /** Datagrams held while a new client's lock is awaited (another dispatcher decides its endpoint), or null. */
    private ArrayDeque<ByteBuf> parked;
    private int parkedBytes;
    /** Run when the flow ends: the dispatcher cluster counts a sticky client's flows as its connections (sessionEnd = close). */
    private Runnable sessionRelease;
    private boolean sessionCounted;

    /** Datagrams held while the flow waits for a lock's decision; more are dropped and counted. */
    static final int MAX_PARKED = Upstream.MAX_PENDING;
    /** Bytes held while the flow waits for a lock's decision; a datagram past them is dropped and counted. */
    static final int MAX_PARKED_BYTES = 256 * 1024;

    UdpRelay(DatagramFlow flow, UdpProtocol protocol) {
        this.flow = flow;
        this.protocol = protocol;
    }

    /** A datagram from the client: straight to the upstream when there is one, else to the flow's owner. */
    @Override
    public void datagram(ByteBuf data) {
        Upstream u = upstream;
        if (u != null) {
            u.send(data);
        } else {
            flow.route(new DatagramMessage(this, flow.loop(), data));
        }
    }

    /** A message of this flow was forwarded: to the upstream it has, or to a newly chosen endpoint. */
    void forward(String clusterName, ByteBuf data) {
        if (closed) {
            flow.drop(data);
            return;
        }
        if (upstream != null) {
            // A later datagram routed before the first one's upstream existed (a handler on its own
            // threads): it joins the flow's upstream.
            upstream.send(data);
            return;
        }
        if (parked != null) {
            park(data); // the flow waits for a lock's decision already
            return;
        }
        ClusterDirectory clusters = protocol.clusters();
        ClusterSnapshot cluster = clusters == null ? null : clusters.cluster(clusterName);
        if (cluster == null) {
            flow.drop(data);
            return;
        }
        java.util.concurrent.CompletionStage<?> decision = cluster.pending(flow.flow());
        if (decision != null) {
            // A new client that another dispatcher locked: its datagrams wait here (bounded), not the
            // loop, until that dispatcher's decision arrives or the lock wait runs out.
            parked = new ArrayDeque<>(4);
            park(data);
            decision.whenComplete((done, error) -> flow.loop().execute(() -> resume(clusterName, cluster)));
            return;
        }
        open(clusterName, cluster, data);
    }

    private void park(ByteBuf data) {
        if (parked.size() >= MAX_PARKED || parkedBytes + data.readableBytes() > MAX_PARKED_BYTES) {
            flow.drop(data);
            return;
        }
        parkedBytes += data.readableBytes();
        parked.add(data);
    }

    /** The lock's decision came (or its wait ran out): the held datagrams go to the endpoint chosen now. */
    private void resume(String clusterName, ClusterSnapshot cluster) {
        ArrayDeque<ByteBuf> held = parked;
        parked = null;
        parkedBytes = 0;
        if (held == null || held.isEmpty()) {
            return;
        }
        if (closed) {
            held.forEach(flow::drop);
            return;
        }
        open(clusterName, cluster, held.poll());
        ByteBuf b;
        while ((b = held.poll()) != null) {
            if (upstream != null) {
                upstream.send(b);
            } else {
                flow.drop(b);
            }
        }
    }

    /** Chooses the flow's endpoint and opens its upstream socket with the first datagram. */
    private void open(String clusterName, ClusterSnapshot cluster, ByteBuf data) {
        if (refused != null && System.nanoTime() - refusedSince > REFUSED_MEMORY_NANOS) {
            refused = null; // try them again
        }
        Endpoint e = cluster.choose(flow.flow(), refused == null ? Set.of() : refused);
        if (e == null) {
            flow.drop(data);
            return;
        }
        if (!sessionCounted) {
            // The flow is one of the client's connections until it ends (not per upstream: a refused
            // endpoint's successor carries the same flow).
            sessionCounted = true;
            sessionRelease = cluster.connectionOpened(flow.flow());
        }
        flow.flow().endpoint(e); // the connection table shows the flow's upstream
        Upstream u = new Upstream(flow, this, e, cluster.counters(e), flow.meter().cell(clusterName, e));
        upstream = u;
        u.send(data); // held until the socket is connected
        u.connecting(flow.backends().connectDatagram(flow.loop(), e, u));
    }

    /** A message of this flow was answered here: the answer goes to the client from the frontend socket. */
    void reply(ByteBuf answer) {
        if (closed) {
            flow.drop(answer);
            return;
        }
        flow.reply(answer);
        if (!flow.inReadBatch()) {
            flow.flush();
        }
    }

    /** The upstream ended (idle, closed, refused): the next datagram is routed again. */
    void upstreamEnded(Upstream u, boolean refusedByEndpoint) {
        if (upstream == u) {
            upstream = null;
        }
        if (refusedByEndpoint) {
            if (refused == null) {
                refused = new HashSet<>(4);
            }
            refused.add(u.endpoint.id());
            refusedSince = System.nanoTime();
        }
    }

    /** Idle, or the frontend closes: the upstream socket closes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Upstream u = upstream;
        upstream = null;
        if (u != null) {
            u.close();
        }
        ArrayDeque<ByteBuf> held = parked;
        parked = null;
        if (held != null) {
            held.forEach(flow::drop);
        }
        Runnable release = sessionRelease;
        sessionRelease = null;
        if (release != null) {
            release.run();
        }
    }

    DatagramFlow flow() {
        return flow;
    }
}
