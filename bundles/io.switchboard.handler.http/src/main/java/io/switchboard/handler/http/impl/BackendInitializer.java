package io.switchboard.handler.http.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import io.switchboard.api.Endpoint;
import java.util.concurrent.TimeUnit;

/** Pipeline of a back-end HTTP connection: a TCP socket, or a local channel to a {@code local:NAME} endpoint. */
final class BackendInitializer extends ChannelInitializer<Channel> {
    /** Name of the response reader in the pipeline (a newer version of this bundle replaces it by name). */
    static final String HANDLER = "backend";

    private final Endpoint endpoint;
    private final int idleTimeoutMillis;

    BackendInitializer(Endpoint endpoint, int idleTimeoutMillis) {
        this.endpoint = endpoint;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(idleTimeoutMillis, 0, 0, TimeUnit.MILLISECONDS))
                .addLast(HANDLER, new BackendHandler(endpoint));
    }
}
