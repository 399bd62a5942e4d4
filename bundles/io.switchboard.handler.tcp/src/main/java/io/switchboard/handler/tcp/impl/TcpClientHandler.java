package io.switchboard.transport.impl.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.Protocol;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.transport.impl.Frontend;
import io.switchboard.transport.impl.UpstreamPool;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A TCP client connection. Its first bytes (or, for protocols where the server speaks first, an
 * empty message once {@code firstBytesWaitMillis} pass in silence) go through the intelligent
 * switch as the flow's first message. When its handler forwards it, the connection to an endpoint
 * opens on the same event loop (a refusing endpoint is skipped for the next) and from then on bytes
 * are relayed both ways directly; a handler that answers instead gets every next chunk as a message.
 */
final class TcpClientHandler extends Relay {
    private final Frontend frontend;
    private final ClusterDirectory clusters;
    private final UpstreamPool pool;
    private final IntelligentSwitch switchboard;
    private final long firstBytesWaitMillis;
    private ChannelHandlerContext ctx;
    private TrackedFlow flow;
    private ScheduledFuture<?> silence;
    private boolean relaying;
    private boolean connecting;

    /** The cluster behind the virtual service this connection reached. */
    private final String cluster;

    TcpClientHandler(Frontend frontend, String cluster, ClusterDirectory clusters, UpstreamPool pool,
                     IntelligentSwitch switchboard, long firstBytesWaitMillis) {
        super(null);
        this.frontend = frontend;
        this.cluster = cluster;
        this.clusters = clusters;
        this.pool = pool;
        this.switchboard = switchboard;
        this.firstBytesWaitMillis = firstBytesWaitMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        frontend.requestStarted();
        flow = switchboard.open(frontend.spec().name(), Protocol.TCP, cluster,
                (InetSocketAddress) ctx.channel().remoteAddress(), (InetSocketAddress) ctx.channel().localAddress());
        ctx.read();
        silence = ctx.executor().schedule(() -> {
            if (flow.messages() == 0 && ctx.channel().isActive()) {
                route(Unpooled.EMPTY_BUFFER);
            }
        }, firstBytesWaitMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        flow.countIn(bytes.readableBytes());
        if (relaying) {
            super.channelRead(ctx, msg);
        } else {
            silence.cancel(false);
            route(bytes);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (relaying) {
            super.channelReadComplete(ctx);
        }
    }

    private void route(ByteBuf bytes) {
        switchboard.route(flow, new TcpMessage(this, ctx.channel().eventLoop(), bytes));
    }

    /** A message was answered here: go on reading the next chunk. */
    void replied(ByteBuf answer) {
        flow.countOut(answer.readableBytes());
        ctx.writeAndFlush(answer);
        ctx.read();
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
        ClusterSnapshot cluster = clusters.cluster(clusterName);
        if (cluster == null || !cluster.ready()) {
            ReferenceCountUtil.release(first);
            ctx.close();
            return;
        }
        connecting = true;
        connect(ctx.channel(), cluster, new HashSet<>(2), first);
    }

    private void connect(Channel client, ClusterSnapshot cluster, Set<String> excluded, ByteBuf first) {
        Endpoint e = cluster.choose(flow, excluded);
        if (e == null) {
            ReferenceCountUtil.release(first);
            client.close(); // nothing reachable: the client sees the connection end
            return;
        }
        EndpointCounters counters = cluster.counters(e);
        counters.started();
        Relay backendSide = new Relay(flow);
        pool.connect(client.eventLoop(), e, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("relay", backendSide);
            }
        }, true).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                counters.finished(false);
                excluded.add(e.id());
                if (client.isActive()) {
                    connect(client, cluster, excluded, first);
                } else {
                    ReferenceCountUtil.release(first);
                }
                return;
            }
            Channel backend = f.channel();
            backend.closeFuture().addListener(x -> counters.finished(true));
            if (!client.isActive()) {
                ReferenceCountUtil.release(first);
                backend.close();
                return;
            }
            backend.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            if (first.isReadable()) {
                backend.writeAndFlush(first, backend.voidPromise());
            } else {
                first.release();
            }
            peer(backend);
            backendSide.peer(client);
            relaying = true;
            connecting = false;
            client.read();
            backend.read();
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (silence != null) {
            silence.cancel(false);
        }
        if (flow != null) {
            switchboard.close(flow);
        }
        super.channelInactive(ctx);
    }
}
