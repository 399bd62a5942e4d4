package io.switchboard.handler.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.BackendTls;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.telemetry.TrafficCell;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.transport.Connection;
import io.switchboard.support.proxy.ProxyHeader;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A TCP client connection. Its first bytes (or, for protocols where the server speaks first, an
 * empty message once {@code firstBytesWaitMillis} pass in silence, or once the client half-closes)
 * go through the intelligent switch as the flow's first message. When its handler forwards it, the
 * connection to an endpoint opens on the same event loop (a refusing endpoint is skipped for the
 * next) and from then on bytes are relayed both ways directly; a handler that answers instead gets
 * every next chunk as a message. A client that half-closes before the back-end connection is up
 * loses nothing: its bytes go first, then the back-end's input is shut too.
 */
final class TcpClientHandler extends Relay {
    private final Connection connection;
    private final TcpProtocol protocol;
    private final long firstBytesWaitMillis;
    private final TrackedFlow flow;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> silence;
    private boolean relaying;
    private boolean connecting;
    /** The client shut its output before the relay was up: the back-end's output is shut once it is. */
    private boolean inputEnded;

    /** The frontend's clusters by TLS server name; null: the ClientHello is not read. */
    private final SniClusters sni;
    /** The first bytes while the ClientHello is read (the frontend routes by SNI). */
    private ByteBuf peeked;
    /** The first bytes while a new client's lock is awaited (another dispatcher decides its endpoint). */
    private ByteBuf parked;
    /** The connection closed (channelInactive ran): nothing may be counted or parked for it any more. */
    private boolean closed;
    /** Run when the connection closes: the dispatcher cluster counts a sticky client's connections (sessionEnd = close). */
    private Runnable sessionRelease;

    /** The frontend's {@code splice}: relays may move their bytes with splice(2). */
    private final boolean splice;

    TcpClientHandler(Connection connection, TcpProtocol protocol, long firstBytesWaitMillis, SniClusters sni, boolean splice) {
        super(null);
        this.splice = splice;
        this.connection = connection;
        this.protocol = protocol;
        this.flow = connection.flow();
        this.firstBytesWaitMillis = firstBytesWaitMillis;
        this.sni = sni;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection.requestStarted();
        ctx.read();
        silence = ctx.executor().schedule(() -> {
            if (flow.messages() == 0 && ctx.channel().isActive()) {
                route(peeked != null ? takePeeked() : Unpooled.EMPTY_BUFFER);
            }
        }, firstBytesWaitMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        flow.countIn(bytes.readableBytes());
        if (relaying) {
            super.channelRead(ctx, msg);
        } else if (sni != null && flow.messages() == 0) {
            // Reads on until the ClientHello's first record is whole (or the bytes are not TLS), then routes it all.
            peeked = peeked == null ? bytes : Unpooled.wrappedBuffer(peeked, bytes);
            if (ClientHelloPeek.state(peeked) == ClientHelloPeek.State.MORE && peeked.readableBytes() < ClientHelloPeek.MAX_RECORD) {
                ctx.read();
                return;
            }
            silence.cancel(false);
            route(takePeeked());
        } else {
            silence.cancel(false);
            route(bytes);
        }
    }

    private ByteBuf takePeeked() {
        ByteBuf b = peeked;
        peeked = null;
        return b;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (relaying) {
            super.channelReadComplete(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !relaying) {
            inputEnded = true;
            if (flow.messages() == 0) {
                silence.cancel(false);
                // a client that says nothing (or half a ClientHello) and half-closes still reaches the server
                route(peeked != null ? takePeeked() : Unpooled.EMPTY_BUFFER);
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    private void route(ByteBuf bytes) {
        String name = sni == null ? null : ClientHelloPeek.serverName(bytes);
        connection.route(new TcpMessage(this, ctx.channel().eventLoop(), bytes, name, sni == null ? null : sni.cluster(name)));
    }

    /** A message was answered here: go on reading the next chunk. */
    void replied(ByteBuf answer) {
        flow.countOut(answer.readableBytes());
        ctx.writeAndFlush(answer);
        if (inputEnded) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.read();
        }
    }

    void failed() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Opens the relay to an endpoint of the cluster and sends the first bytes there. */
    void forward(String clusterName, ByteBuf first) {
        if (relaying || connecting) {
            ReferenceCountUtil.release(first);
            throw new IllegalStateException("this connection is already relayed");
        }
        ClusterDirectory clusters = protocol.clusters();
        ClusterSnapshot cluster = clusters == null ? null : clusters.cluster(clusterName);
        if (cluster == null || closed) {
            ReferenceCountUtil.release(first);
            ctx.close();
            return;
        }
        connecting = true;
        sessionRelease = cluster.connectionOpened(flow); // one of the client's connections until channelInactive
        java.util.concurrent.CompletionStage<?> decision = cluster.pending(flow);
        if (decision != null) {
            // A new client that another dispatcher locked: its bytes wait here (the socket is not read
            // meanwhile), not the loop, until that dispatcher's decision arrives or the lock wait runs out.
            parked = first;
            EventLoop loop = ctx.channel().eventLoop();
            decision.whenComplete((done, error) -> loop.execute(() -> resume(clusterName, cluster)));
            return;
        }
        connect(ctx.channel(), clusterName, cluster, new HashSet<>(2), first, null);
    }

    /** The lock's decision came (or its wait ran out): the relay opens, unless the client left meanwhile. */
    private void resume(String clusterName, ClusterSnapshot cluster) {
        ByteBuf first = parked;
        parked = null;
        if (first == null) {
            return; // released when the client closed
        }
        if (!ctx.channel().isActive()) {
            first.release();
            return;
        }
        connect(ctx.channel(), clusterName, cluster, new HashSet<>(2), first, null);
    }

    /** {@code failed}: the cell of the endpoint that refused the previous attempt (a retry is counted on it), or null. */
    private void connect(Channel client, String clusterName, ClusterSnapshot cluster, Set<String> excluded, ByteBuf first,
                         TrafficCell failed) {
        Endpoint e = cluster.choose(flow, excluded);
        if (e == null) {
            ReferenceCountUtil.release(first);
            client.close(); // nothing reachable: the client sees the connection end
            return;
        }
        if (failed != null) {
            failed.retried();
        }
        flow.endpoint(e); // the connection table shows where the relay goes
        EndpointCounters counters = cluster.counters(e);
        counters.started();
        // Counted on the client's loop, which is also the back-end connection's: the cell's only writer.
        TrafficCell cell = connection.meter().cell(clusterName, e);
        Relay backendSide = new Relay(flow);
        BackendTls tls = e.isLocal() ? null : cluster.tls(); // a local application is in this process: no TLS
        SslContext sslContext = tls == null ? null : protocol.backendTls().context(tls);
        String serverName = tls == null ? null : tls.serverName() != null ? tls.serverName() : e.host();
        // Channel, not SocketChannel: a local:NAME endpoint is a local channel.
        connection.backends().connect(client.eventLoop(), e, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setAutoRead(false);
                ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                if (sslContext != null) {
                    // SNI and the name the certificate must show; the relay's bytes wait for the handshake.
                    ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc(), serverName, e.port()));
                }
                ch.pipeline().addLast("relay", backendSide);
            }
        }, cluster.connectTimeoutMillis()).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                counters.finished(false);
                excluded.add(e.id());
                if (client.isActive()) {
                    connect(client, clusterName, cluster, excluded, first, cell);
                } else {
                    ReferenceCountUtil.release(first);
                }
                return;
            }
            Channel backend = f.channel();
            cell.relayOpened();
            boolean[] handshakeFailed = new boolean[1];
            SslHandler ssl = backend.pipeline().get(SslHandler.class);
            if (ssl != null) {
                ssl.handshakeFuture().addListener(hf -> {
                    if (!hf.isSuccess()) {
                        handshakeFailed[0] = true;
                        Throwable root = hf.cause();
                        while (root.getCause() != null && root.getCause() != root) {
                            root = root.getCause();
                        }
                        protocol.tlsFailed(flow.frontend(), "TLS handshake with " + e + " (" + serverName + ") failed: " + root.getMessage());
                        backend.close(); // and the client with it
                    }
                });
            }
            backend.closeFuture().addListener(x -> {
                counters.finished(!handshakeFailed[0]);
                cell.relayClosed();
            });
            if (!client.isActive()) {
                ReferenceCountUtil.release(first);
                backend.close();
                return;
            }
            int proxyVersion = cluster.sendProxyProtocol();
            if (proxyVersion != 0 && !e.isLocal()) {
                // The back-end learns who the client is before any of its bytes.
                backend.write(Unpooled.wrappedBuffer(ProxyHeader.encode(proxyVersion, connection.clientAddress(),
                        (InetSocketAddress) client.localAddress())), backend.voidPromise());
            }
            if (first.isReadable()) {
                backend.write(first, backend.voidPromise());
            } else {
                first.release();
            }
            peer(backend);
            backendSide.peer(client);
            relaying = true;
            connecting = false;
            if (inputEnded) {
                // The client is done sending: what it sent goes first, then the back-end sees the end.
                if (ssl != null) {
                    Relay.endTls(backend, ssl, () -> { });
                } else if (backend instanceof DuplexChannel) { // a local channel has no half-close: it ends with the relay
                    backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(x -> ((DuplexChannel) backend).shutdownOutput());
                } else {
                    backend.flush();
                }
            } else {
                backend.flush();
            }
            startRelay(client, backend);
        });
    }

    /** Spliced (bytes kept in the kernel) when the frontend allows it and both sides can be; else copied. */
    private void startRelay(Channel client, Channel backend) {
        Runnable copy = () -> {
            if (client.isActive() && !inputEnded) {
                client.read();
            }
            if (backend.isActive()) {
                backend.read();
            }
        };
        if (splice && SpliceRelay.possible(client, backend)) {
            SpliceRelay.start(client, backend, flow, copy);
        } else {
            copy.run();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (silence != null) {
            silence.cancel(false);
        }
        if (peeked != null) {
            takePeeked().release();
        }
        if (parked != null) {
            ByteBuf b = parked;
            parked = null;
            b.release();
        }
        Runnable release = sessionRelease;
        sessionRelease = null;
        if (release != null) {
            release.run();
        }
        super.channelInactive(ctx);
    }
}
