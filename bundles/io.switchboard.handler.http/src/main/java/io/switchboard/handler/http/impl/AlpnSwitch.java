package io.switchboard.handler.http.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.switchboard.api.transport.Connection;
import io.switchboard.api.transport.DrainEvent;

/**
 * On a TLS frontend, after the terminating handler ({@code "tls"}): once the handshake is done, the
 * protocol ALPN chose ({@code SslHandler.applicationProtocol()}) sets up the pipeline: {@code h2}
 * HTTP/2, {@code http/1.1} or none HTTP/1.1. Anything else was never offered: the connection closes.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
    private final HttpProtocol protocol;
    private final Connection connection;
    private final HttpSettings settings;

    AlpnSwitch(HttpProtocol protocol, Connection connection, HttpSettings settings) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.protocol = protocol;
        this.connection = connection;
        this.settings = settings;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String name) {
        if (ApplicationProtocolNames.HTTP_2.equals(name)) {
            protocol.http2(connection, settings);
        } else if (ApplicationProtocolNames.HTTP_1_1.equals(name)) {
            protocol.http1(connection, settings);
        } else {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        // Still in the handshake: no request in progress.
        if (evt instanceof IdleStateEvent || (evt instanceof DrainEvent && ((DrainEvent) evt).closeIdleNow())) {
            ctx.close();
        } else if (evt instanceof DrainEvent) {
            ctx.channel().attr(DrainEvent.BUSY).set(false);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }
}
