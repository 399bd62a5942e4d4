package io.switchboard.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.DatagramBinding;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Opens and closes a frontend's sockets: one listener per accepting loop for a stream protocol, one
 * datagram socket (on loop 0, which never retires) for a datagram protocol. New sockets are always
 * bound before old ones close, so that an address in use is never left without a listener.
 */
final class FrontendSockets {
    private final Loops loops;
    private final Listeners listeners;
    private final SharedRefs refs;
    private final Consumer<String> warn;

    FrontendSockets(Loops loops, Listeners listeners, SharedRefs refs, Consumer<String> warn) {
        this.loops = loops;
        this.listeners = listeners;
        this.refs = refs;
        this.warn = warn;
    }

    /**
     * Opens the frontend's sockets; on failure closes what it opened and returns why (null: listening).
     *
     * @param checkForeign check first that no other process listens on the address (not on a hand-over
     *                     of our own address, where our older socket is still bound); stream sockets only
     */
    String open(Frontend f, int acceptors, FrontendSettings settings, boolean checkForeign) {
        FrontendSpec spec = f.spec();
        // A datagram socket binds without SO_REUSEADDR or SO_REUSEPORT, so a UDP port in use fails its
        // bind; the probe is a TCP listener, and a TCP port in use says nothing about the UDP port.
        if (checkForeign && !(f.binding() instanceof DatagramBinding)) {
            String foreign = Listeners.foreignListener(spec.bindAddress(), spec.port());
            if (foreign != null) {
                return foreign;
            }
        }
        if (f.binding() instanceof DatagramBinding) {
            ChannelFuture u = DatagramFrontend.bind(f, loops.loop(0), loops, refs, (DatagramBinding) f.binding(),
                    settings.udpIdleSeconds, settings.udpMaxFlows, warn).awaitUninterruptibly();
            if (!u.isSuccess()) {
                f.datagrams = null;
                return Listeners.why(u.cause(), spec.bindAddress(), spec.port());
            }
            f.listeners.add(u.channel());
            return null;
        }
        ChannelFuture first = listeners.listen(f, loops.loop(0), spec.port());
        if (!first.isSuccess()) {
            return Listeners.why(first.cause(), spec.bindAddress(), spec.port());
        }
        f.listeners.add(first.channel());
        int port = ((InetSocketAddress) first.channel().localAddress()).getPort();
        for (int i = 1; i < Math.min(acceptors, loops.size()); i++) {
            addAcceptor(f, i, port);
        }
        return null;
    }

    /** Binds new listeners for a frontend an older transport version left, then closes the old ones. */
    String takeOver(Frontend f, List<Channel> old, int acceptors) {
        if (f.datagrams != null) {
            f.listeners.addAll(old); // the datagram socket stays: a second one would split flows
            return null;
        }
        int port = old.isEmpty() ? f.spec().port() : ((InetSocketAddress) old.get(0).localAddress()).getPort();
        ChannelFuture first = listeners.listen(f, loops.loop(0), port);
        if (!first.isSuccess()) {
            for (Channel l : old) {
                l.config().setAutoRead(true); // keep serving with the old listeners (paused while handed over)
            }
            f.listeners.addAll(old);
            return Listeners.why(first.cause(), f.spec().bindAddress(), port);
        }
        f.listeners.add(first.channel());
        for (int i = 1; i < Math.min(acceptors, loops.size()); i++) {
            addAcceptor(f, i, port);
        }
        close(old);
        return null;
    }

    /** Adds or removes listeners until {@code n} loops accept on the frontend. */
    void resize(Frontend f, int n) {
        if (f.datagrams != null || f.listener() == null) {
            return;
        }
        int port = ((InetSocketAddress) f.listener().localAddress()).getPort();
        for (int i = f.listeners.size(); i < n; i++) {
            addAcceptor(f, i, port);
        }
        while (f.listeners.size() > Math.max(1, n)) {
            f.listeners.remove(f.listeners.size() - 1).close().awaitUninterruptibly();
        }
    }

    private void addAcceptor(Frontend f, int loopIndex, int port) {
        ChannelFuture c = listeners.listen(f, loops.loop(loopIndex), port);
        if (c.isSuccess()) {
            f.listeners.add(c.channel());
        } else {
            warn.accept("frontend " + f.spec().name() + ": event loop " + loopIndex + " cannot accept on port " + port + ": " + c.cause());
        }
    }

    /** Closes the frontend's listeners on the retired loops (another loop always keeps accepting). */
    void retire(Frontend f, List<EventLoopGroup> retired) {
        List<Channel> gone = new ArrayList<>();
        for (Channel l : f.listeners) {
            for (EventLoopGroup g : retired) {
                if (l.eventLoop() == g.next()) {
                    gone.add(l);
                }
            }
        }
        f.listeners.removeAll(gone);
        close(gone);
    }

    /** Closes every socket of the frontend; returns how many there were. */
    int closeAll(Frontend f) {
        List<Channel> all = new ArrayList<>(f.listeners);
        f.listeners.clear();
        close(all);
        return all.size();
    }

    static void close(List<Channel> channels) {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly();
        }
    }

    /** Whether the connection is owned by one of the loops. */
    static boolean on(Channel ch, List<EventLoopGroup> groups) {
        EventLoop loop = ch.eventLoop();
        for (EventLoopGroup g : groups) {
            if (g.next() == loop) {
                return true;
            }
        }
        return false;
    }
}
