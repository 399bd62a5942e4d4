package io.switchboard.tls.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.tls.Tls;

/**
 * Reads the ClientHello, picks the certificate by the name the client asks for, and puts Netty's
 * SslHandler in its own place under the same name ({@link Tls#HANDLER}), so that whoever looks for
 * the TLS handler after the handshake finds the SslHandler. The name asked for is kept on the
 * channel for routing ({@link Tls#SNI}).
 */
final class TerminatingSniHandler extends SniHandler {
    private final LiveCertificates frontend;

    TerminatingSniHandler(Mapping<String, SslContext> mapping, LiveCertificates frontend) {
        super(mapping, 16 * 1024, frontend.settings().handshakeTimeoutMillis);
        this.frontend = frontend;
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) throws Exception {
        if (hostname != null) {
            ctx.channel().attr(Tls.SNI).set(hostname);
        }
        SslHandler ssl = null;
        try {
            ssl = newSslHandler(sslContext, ctx.alloc());
            ssl.setHandshakeTimeoutMillis(frontend.settings().handshakeTimeoutMillis);
            SslHandler watched = ssl;
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    frontend.handshakeSucceeded();
                } else {
                    frontend.handshakeFailed(ctx.channel(), f.cause());
                }
            });
            ctx.pipeline().replace(this, Tls.HANDLER, ssl);
            ssl = null;
            watched.getClass(); // keeps the listener's handler reachable until here
        } finally {
            if (ssl != null) {
                ReferenceCountUtil.safeRelease(ssl.engine());
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Before a certificate was chosen: not TLS at all, or a name refused. Counted, and the connection closes.
        frontend.handshakeFailed(ctx.channel(), cause);
        ctx.close();
    }
}
