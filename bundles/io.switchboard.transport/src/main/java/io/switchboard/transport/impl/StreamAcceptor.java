package io.switchboard.transport.impl;

import io.netty.channel.ChannelInitializer;
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
 */
final class StreamAcceptor extends ChannelInitializer<SocketChannel> {
    private final Frontend frontend;
    private final SharedRefs refs;
    private final BiConsumer<Frontend, Throwable> protocolFailed;

    StreamAcceptor(Frontend frontend, SharedRefs refs, BiConsumer<Frontend, Throwable> protocolFailed) {
        this.frontend = frontend;
        this.refs = refs;
        this.protocolFailed = protocolFailed;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        String cluster = frontend.admit(ch);
        if (cluster == null) {
            return;
        }
        // Known to the frontend before it reads the binding: a replacement of the binding in between
        // then sees this connection, and drains it if it started on the old one.
        Frontend.OnLoop onLoop = frontend.on(ch.eventLoop());
        onLoop.opened(ch);
        StreamBinding binding = (StreamBinding) frontend.binding();
        if (binding == null) {
            ch.close(); // the frontend stopped speaking its protocol since the listener accepted
            return;
        }
        ch.attr(FrontendTable.BINDING).set(binding);
        if (binding instanceof ProxiedBinding) {
            // Behind a proxy: the protocol gets the connection once its PROXY header gave the client's address.
            ProxyHeaderReader.install(ch, (ProxiedBinding) binding, frontend.spec().name(),
                    client -> start(ch, onLoop, ((ProxiedBinding) binding).protocol, cluster, client), frontend.refused::increment);
            return;
        }
        start(ch, onLoop, binding, cluster, (InetSocketAddress) ch.remoteAddress());
    }

    /** The connection's flow, with the client's address, and the protocol's handlers. */
    private void start(SocketChannel ch, Frontend.OnLoop onLoop, StreamBinding binding, String cluster, InetSocketAddress client) {
        FrontendSpec spec = frontend.spec();
        ConnectionFlow flow = ConnectionFlow.open(refs, ch.eventLoop(), spec.name(), spec.protocol(), cluster, client,
                (InetSocketAddress) ch.localAddress());
        ch.attr(ConnectionFlow.KEY).set(flow);
        ch.closeFuture().addListener(f -> flow.close());
        try {
            binding.accept(new AcceptedConnection(ch, flow, cluster, refs, onLoop));
        } catch (RuntimeException | LinkageError e) {
            protocolFailed.accept(frontend, e);
            ch.close();
        }
    }
}
