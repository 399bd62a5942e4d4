package io.switchboard.transport.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandle;
import java.net.ConnectException;

/**
 * Back-end connections to {@code local:NAME} endpoints: a Netty {@link LocalChannel} on the client's
 * own event loop, to the local server bound at {@code LocalAddress(NAME)} for the application of
 * that name. When none is bound the connect fails with a {@link ConnectException} (connection
 * refused), as it would for a dead back-end: the protocol retries elsewhere or answers 502/503.
 */
final class LocalConnector {
    private LocalConnector() {
    }

    static ChannelFuture connect(EventLoop loop, String name, ChannelHandler handler, int connectTimeoutMillis) {
        if (!(loop instanceof IoEventLoop) || !((IoEventLoop) loop).isCompatible(LocalIoHandle.class)) {
            // Loops adopted from a transport version before local endpoints existed: they end with a restart.
            return refuse(loop, "event loop cannot carry local channels (started by an older transport); local:" + name
                    + " is reachable from loops started since");
        }
        return new Bootstrap()
                .group(loop)
                .channel(LocalChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(handler)
                .connect(new LocalAddress(name));
    }

    /** A connect that failed before it began (its channel is never registered), reported like a refused one. */
    static ChannelFuture refuse(EventLoop loop, String why) {
        return new DefaultChannelPromise(new LocalChannel(), loop).setFailure(new ConnectException(why));
    }
}
