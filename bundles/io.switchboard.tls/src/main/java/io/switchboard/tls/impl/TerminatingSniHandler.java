package io.switchboard.tls.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
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

    /** The certificate for the name; a refused name is counted here, once, and fails the lookup (the connection closes). */
    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, String hostname) {
        try {
            return ctx.executor().newSucceededFuture(frontend.map(hostname));
        } catch (LiveCertificates.UnknownNameException e) {
            frontend.handshakeFailed(ctx.channel(), e);
            return ctx.executor().newFailedFuture(e);
        }
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
            ssl.handshakeFuture().addListener(new Outcome(frontend, ctx.channel()));
            ctx.pipeline().replace(this, Tls.HANDLER, ssl);
            ssl = null;
        } finally {
            if (ssl != null) {
                ReferenceCountUtil.safeRelease(ssl.engine());
            }
        }
    }

    /** Counts the handshake's outcome (a class, not a lambda: it is loaded with the bundle, see the lifecycle's preloading). */
    private static final class Outcome implements GenericFutureListener<Future<Channel>> {
        private final LiveCertificates frontend;
        private final Channel channel;

        Outcome(LiveCertificates frontend, Channel channel) {
            this.frontend = frontend;
            this.channel = channel;
        }

        @Override
        public void operationComplete(Future<Channel> f) {
            if (f.isSuccess()) {
                frontend.handshakeSucceeded();
            } else {
                frontend.handshakeFailed(channel, f.cause());
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
