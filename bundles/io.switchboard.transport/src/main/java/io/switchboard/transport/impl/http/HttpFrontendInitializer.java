package io.switchboard.transport.impl.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.transport.impl.Frontend;
import io.switchboard.transport.impl.UpstreamPool;

/** Pipeline of an HTTP/1.1 client connection. */
public final class HttpFrontendInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 8192;
    static final int MAX_HEADER_SIZE = 16384;
    static final int MAX_CHUNK = 16384;

    private final Frontend frontend;
    private final ClusterDirectory clusters;
    private final UpstreamPool pool;
    private final int idleSeconds;
    private final IntelligentSwitch switchboard;

    public HttpFrontendInitializer(Frontend frontend, ClusterDirectory clusters, UpstreamPool pool, int idleSeconds,
                                   IntelligentSwitch switchboard) {
        this.frontend = frontend;
        this.clusters = clusters;
        this.pool = pool;
        this.idleSeconds = idleSeconds;
        this.switchboard = switchboard;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        String cluster = frontend.admit(ch);
        if (cluster == null) {
            return;
        }
        frontend.opened(ch);
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, idleSeconds))
                .addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK))
                .addLast("proxy", new HttpProxyHandler(frontend, cluster, clusters, pool, switchboard));
    }
}
