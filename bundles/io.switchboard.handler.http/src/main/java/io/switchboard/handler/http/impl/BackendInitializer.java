package io.switchboard.transport.impl.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.switchboard.api.Endpoint;
import io.switchboard.transport.impl.UpstreamPool;
import java.util.concurrent.TimeUnit;

/** Pipeline of a back-end HTTP connection. */
final class BackendInitializer extends ChannelInitializer<SocketChannel> {
    private final UpstreamPool pool;
    private final Endpoint endpoint;
    private final int idleTimeoutMillis;

    BackendInitializer(UpstreamPool pool, Endpoint endpoint, int idleTimeoutMillis) {
        this.pool = pool;
        this.endpoint = endpoint;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(idleTimeoutMillis, 0, 0, TimeUnit.MILLISECONDS))
                .addLast("backend", new BackendHandler(pool, endpoint));
    }
}
