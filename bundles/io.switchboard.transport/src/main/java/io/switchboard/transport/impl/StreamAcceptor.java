package io.switchboard.transport.impl;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.StreamBinding;
import java.net.InetSocketAddress;
import java.util.function.BiConsumer;

/**
 * Sets up each connection a frontend's listener accepts: the valid-service filter, the flow, the
 * frontend's books, then the protocol binding in force at that moment, which adds its handlers. On
 * a frontend behind proxies the PROXY protocol header is read first, and the flow and the protocol
 * get the client address it carries.
 * <p>
 * Not a {@code ChannelInitializer}: that one enters every new connection in a concurrent set of its
 * own and takes it out again. This handler is added before the connection registers, so
 * {@link #handlerAdded} runs once, on the connection's loop, as it registers; it takes itself out
 * and installs only what the connection needs. One close listener per connection does the books.
 */
@ChannelHandler.Sharable
final class StreamAcceptor extends ChannelInboundHandlerAdapter {
    private final Frontend frontend;
    private final SharedRefs refs;
    private final BiConsumer<Frontend, Throwable> protocolFailed;

    StreamAcceptor(Frontend frontend, SharedRefs refs, BiConsumer<Frontend, Throwable> protocolFailed) {
        this.frontend = frontend;
        this.refs = refs;
        this.protocolFailed = protocolFailed;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
        SocketChannel ch = (SocketChannel) ctx.channel();
        try {
            initChannel(ch);
        } catch (RuntimeException | LinkageError e) {
            protocolFailed.accept(frontend, e);
            ch.close();
        }
    }

    private void initChannel(SocketChannel ch) {
        String cluster = frontend.admit(ch);
        if (cluster == null) {
            return;
        }
        // Known to the frontend before it reads the binding: a replacement of the binding in between
        // then sees this connection, and drains it if it started on the old one.
        Frontend.OnLoop onLoop = frontend.on(ch.eventLoop());
        onLoop.opened(ch);
        Books books = new Books(ch, onLoop);
        ch.closeFuture().addListener(books);
        StreamBinding binding = (StreamBinding) frontend.binding();
        if (binding == null) {
            ch.close(); // the frontend stopped speaking its protocol since the listener accepted
            return;
        }
        ch.attr(FrontendTable.BINDING).set(binding);
        if (binding instanceof ProxiedBinding) {
            // Behind a proxy: the protocol gets the connection once its PROXY header gave the client's address.
            ProxyHeaderReader.install(ch, (ProxiedBinding) binding, frontend.spec().name(),
                    client -> start(ch, books, ((ProxiedBinding) binding).protocol, cluster, client), frontend.refused::increment);
            return;
        }
        start(ch, books, binding, cluster, (InetSocketAddress) ch.remoteAddress());
    }

    /** The connection's flow, with the client's address, and the protocol's handlers. */
    private void start(SocketChannel ch, Books books, StreamBinding binding, String cluster, InetSocketAddress client) {
        FrontendSpec spec = frontend.spec();
        ConnectionFlow flow = ConnectionFlow.open(refs, ch.eventLoop(), spec.name(), spec.protocol(), cluster, client,
                (InetSocketAddress) ch.localAddress());
        ch.attr(ConnectionFlow.KEY).set(flow);
        books.flow = flow;
        if (ch.closeFuture().isDone()) {
            flow.close(); // closed before its header was read: the listener may have run already (closing twice is nothing)
        }
        try {
            binding.accept(new AcceptedConnection(ch, flow, cluster, refs, books.onLoop));
        } catch (RuntimeException | LinkageError e) {
            protocolFailed.accept(frontend, e);
            ch.close();
        }
    }

    /** The connection leaves its loop's set and its flow leaves the connection table, on the loop, as it closes. */
    private static final class Books implements ChannelFutureListener {
        private final SocketChannel ch;
        final Frontend.OnLoop onLoop;
        ConnectionFlow flow;

        Books(SocketChannel ch, Frontend.OnLoop onLoop) {
            this.ch = ch;
            this.onLoop = onLoop;
        }

        @Override
        public void operationComplete(ChannelFuture f) {
            onLoop.closed(ch);
            ConnectionFlow fl = flow;
            if (fl != null) {
                fl.close();
            }
        }
    }
}
