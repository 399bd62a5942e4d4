package io.switchboard.transport.impl.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.transport.impl.Frontend;
import io.switchboard.transport.impl.UpstreamPool;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * A TCP client connection: picks an endpoint, connects to it on the same event loop (trying the
 * next endpoint when one refuses), then relays bytes both ways until both halves are closed.
 */
final class TcpClientHandler extends Relay {
    private final Frontend frontend;
    private final ClusterDirectory clusters;
    private final UpstreamPool pool;
    private final Set<String> excluded = new HashSet<>(2);
    private ClusterSnapshot cluster;
    private TcpRequestContext context;

    TcpClientHandler(Frontend frontend, ClusterDirectory clusters, UpstreamPool pool) {
        this.frontend = frontend;
        this.clusters = clusters;
        this.pool = pool;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        frontend.requestStarted();
        cluster = clusters.cluster(frontend.spec().cluster());
        if (cluster == null) {
            ctx.close();
            return;
        }
        context = new TcpRequestContext(frontend.spec().name(), (InetSocketAddress) ctx.channel().remoteAddress());
        connect(ctx.channel());
    }

    private void connect(Channel client) {
        Endpoint e = cluster.choose(context, excluded);
        if (e == null) {
            client.close(); // nothing reachable: the client sees the connection end
            return;
        }
        EndpointCounters counters = cluster.counters(e);
        counters.started();
        Relay backendSide = new Relay();
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
                    connect(client);
                }
                return;
            }
            Channel backend = f.channel();
            backend.closeFuture().addListener(x -> counters.finished(true));
            if (!client.isActive()) {
                backend.close();
                return;
            }
            backend.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            link(client, backend, backendSide);
        });
    }

    private void link(Channel client, Channel backend, Relay backendSide) {
        peer(backend);
        backendSide.peer(client);
        client.read();
        backend.read();
    }
}
