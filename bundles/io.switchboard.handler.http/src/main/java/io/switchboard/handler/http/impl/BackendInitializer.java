package io.switchboard.handler.http.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.switchboard.api.Endpoint;
import java.util.concurrent.TimeUnit;

/** Pipeline of a back-end HTTP connection: a TCP socket, or a local channel to a {@code local:NAME} endpoint. */
final class BackendInitializer extends ChannelInitializer<Channel> {
    /** Name of the response reader in the pipeline (a newer version of this bundle replaces it by name). */
    static final String HANDLER = "backend";

    private final Endpoint endpoint;
    /** The name of the TLS handler, first in the pipeline when the cluster speaks TLS to its endpoints. */
    static final String TLS = "tls";

    private final int idleTimeoutMillis;
    private final SslContext tls;
    private final String serverName;

    /** @param tls the client TLS context, or null: plain; {@code serverName} then unused */
    BackendInitializer(Endpoint endpoint, int idleTimeoutMillis, SslContext tls, String serverName) {
        this.endpoint = endpoint;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.tls = tls;
        this.serverName = serverName;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (tls != null) {
            // SNI and the name the certificate must show: the configured server name, else the endpoint's host.
            ch.pipeline().addLast(TLS, tls.newHandler(ch.alloc(), serverName, endpoint.port()));
        }
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(idleTimeoutMillis, 0, 0, TimeUnit.MILLISECONDS))
                .addLast(HANDLER, new BackendHandler(endpoint));
    }
}
