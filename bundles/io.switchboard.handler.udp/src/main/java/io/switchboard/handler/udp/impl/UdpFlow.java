package io.switchboard.transport.impl.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.switching.TrackedFlow;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One client's datagrams: its flow in the switch and, once a handler forwarded it, its upstream
 * socket. Used only on the frontend's event loop.
 */
final class UdpFlow {
    /** An endpoint that refused this flow's datagrams is not chosen again for this long. */
    static final long REFUSED_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final UdpFrontend frontend;
    final TrackedFlow flow;
    final InetSocketAddress client;
    /** A datagram went either way since the last sweep. */
    boolean active = true;
    /** When the sweep last saw the flow active. */
    long lastActive;
    /** The socket to the chosen endpoint (connecting or connected), or null. */
    private Upstream upstream;
    /** Endpoints that refused this flow (ICMP port unreachable) recently; null when none. */
    private Set<String> refused;
    private long refusedSince;
    private boolean closed;

    UdpFlow(UdpFrontend frontend, TrackedFlow flow, InetSocketAddress client, long now) {
        this.frontend = frontend;
        this.flow = flow;
        this.client = client;
        this.lastActive = now;
    }

    /** A datagram from the client: straight to the upstream when there is one, else to the flow's owner. */
    void fromClient(ByteBuf data) {
        active = true;
        flow.countIn(data.readableBytes());
        Upstream u = upstream;
        if (u != null) {
            u.send(data, true);
        } else {
            frontend.switchboard().route(flow, new DatagramMessage(this, frontend.channel().eventLoop(), data));
        }
    }

    /** A message of this flow was forwarded: to the upstream it has, or to a newly chosen endpoint. */
    void forward(String clusterName, ByteBuf data) {
        if (closed) {
            frontend.drop(data);
            return;
        }
        if (upstream != null) {
            // A later datagram routed before the first one's upstream existed (a handler on its own
            // threads): it joins the flow's upstream. It may come from a hop, outside any read batch.
            upstream.send(data, false);
            return;
        }
        ClusterSnapshot cluster = frontend.clusters().cluster(clusterName);
        if (cluster == null || !cluster.ready()) {
            frontend.drop(data);
            return;
        }
        if (refused != null && System.nanoTime() - refusedSince > REFUSED_MEMORY_NANOS) {
            refused = null; // try them again
        }
        Endpoint e = cluster.choose(flow, refused == null ? Set.of() : refused);
        if (e == null) {
            frontend.drop(data);
            return;
        }
        Upstream u = new Upstream(frontend, this, e, cluster.counters(e));
        upstream = u;
        u.send(data, false); // held until the socket is connected
        ChannelFuture f = frontend.upstreams().handler(u).connect(e.address());
        u.connecting(f);
    }

    /** A message of this flow was answered here: the answer goes to the client from the frontend socket. */
    void reply(ByteBuf answer) {
        if (closed) {
            frontend.drop(answer);
            return;
        }
        toClient(answer);
        frontend.flushToClients();
    }

    /** A reply from the upstream (the caller flushes), or an answer. */
    void toClient(ByteBuf data) {
        active = true;
        int n = data.readableBytes();
        if (frontend.toClient(client, data)) {
            flow.countOut(n);
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

    boolean closed() {
        return closed;
    }

    /** Idle, or the frontend closes: the upstream socket closes and the switch forgets the flow. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        Upstream u = upstream;
        upstream = null;
        if (u != null) {
            u.close();
        }
        frontend.switchboard().close(flow);
    }

    UdpFrontend frontend() {
        return frontend;
    }
}
