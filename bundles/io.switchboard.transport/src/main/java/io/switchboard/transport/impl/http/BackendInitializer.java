package io.switchboard.transport.impl.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.switchboard.api.Endpoint;
import io.switchboard.transport.impl.UpstreamPool;

/** Pipeline of a back-end HTTP connection. */
final class BackendInitializer extends ChannelInitializer<SocketChannel> {
    private final UpstreamPool pool;
    private final Endpoint endpoint;

    BackendInitializer(UpstreamPool pool, Endpoint endpoint) {
        this.pool = pool;
        this.endpoint = endpoint;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(pool.idleSeconds(), 0, 0))
                .addLast("backend", new BackendHandler(pool, endpoint));
    }
}
