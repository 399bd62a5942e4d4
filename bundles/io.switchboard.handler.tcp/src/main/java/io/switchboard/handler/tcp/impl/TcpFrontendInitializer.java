package io.switchboard.transport.impl.tcp;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.transport.impl.Frontend;
import io.switchboard.transport.impl.UpstreamPool;

/** Pipeline of a TCP client connection: one relay handler. */
public final class TcpFrontendInitializer extends ChannelInitializer<SocketChannel> {
    private final Frontend frontend;
    private final ClusterDirectory clusters;
    private final UpstreamPool pool;
    private final IntelligentSwitch switchboard;
    private final long firstBytesWaitMillis;

    public TcpFrontendInitializer(Frontend frontend, ClusterDirectory clusters, UpstreamPool pool,
                                  IntelligentSwitch switchboard, long firstBytesWaitMillis) {
        this.frontend = frontend;
        this.clusters = clusters;
        this.pool = pool;
        this.switchboard = switchboard;
        this.firstBytesWaitMillis = firstBytesWaitMillis;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        String cluster = frontend.admit(ch);
        if (cluster == null) {
            return;
        }
        frontend.opened(ch);
        ch.pipeline().addLast("relay", new TcpClientHandler(frontend, cluster, clusters, pool, switchboard, firstBytesWaitMillis));
    }
}
