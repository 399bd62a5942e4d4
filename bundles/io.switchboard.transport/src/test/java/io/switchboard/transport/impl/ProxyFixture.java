package io.switchboard.transport.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.Protocol;
import io.switchboard.transport.impl.http.HttpFrontendInitializer;
import io.switchboard.transport.impl.tcp.TcpFrontendInitializer;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.core.impl.CoreManager;
import io.switchboard.handler.defaults.impl.DefaultHandler;
import io.switchboard.intelligentswitch.impl.SwitchManager;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A frontend on real epoll sockets on 127.0.0.1, wired as the frontend manager wires it. */
final class ProxyFixture implements AutoCloseable {
    final EventLoopGroup group;
    final Frontend frontend;
    final UpstreamPool pool;
    final Channel listener;
    final CoreManager core;
    final SwitchManager switchboard;
    final DefaultHandler defaultHandler = new DefaultHandler();

    ProxyFixture(Protocol protocol, String cluster, TestClusters clusters) {
        this(protocol, cluster, clusters, "127.0.0.1");
    }

    ProxyFixture(Protocol protocol, String cluster, TestClusters clusters, String bindAddress) {
        this(protocol, cluster, clusters, bindAddress, HttpFrontendInitializer.Limits.DEFAULTS, null);
    }

    /** An HTTP frontend that adds a Via header with this pseudonym. */
    ProxyFixture(String cluster, TestClusters clusters, String via) {
        this(Protocol.HTTP, cluster, clusters, "127.0.0.1", HttpFrontendInitializer.Limits.DEFAULTS, via);
    }

    /** An HTTP frontend with its own request-head limits. */
    ProxyFixture(String cluster, TestClusters clusters, HttpFrontendInitializer.Limits limits) {
        this(Protocol.HTTP, cluster, clusters, "127.0.0.1", limits, null);
    }

    private ProxyFixture(Protocol protocol, String cluster, TestClusters clusters, String bindAddress,
                         HttpFrontendInitializer.Limits limits, String via) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("epoll must load on this machine", Epoll.unavailabilityCause());
        }
        group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        core = CoreManager.start(1024, 1024, "blocking");
        switchboard = SwitchManager.withCore(core);
        switchboard.addHandler(defaultHandler, Map.of(FlowHandler.TYPE, FlowHandler.DEFAULT_TYPE, "service.id", 1L), "test");
        frontend = new Frontend(new FrontendSpec("test", protocol, bindAddress, 0, cluster));
        pool = new UpstreamPool(EpollSocketChannel.class, 2000);
        ServerBootstrap b = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true);
        if (protocol == Protocol.HTTP) {
            b.childHandler(new HttpFrontendInitializer(frontend, clusters, pool, 60, switchboard, limits, via));
        } else {
            b.childOption(ChannelOption.AUTO_READ, false).childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new TcpFrontendInitializer(frontend, clusters, pool, switchboard, 200));
        }
        listener = b.bind(bindAddress, 0).syncUninterruptibly().channel();
        frontend.listening(listener);
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        frontend.connections().close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        core.deactivate();
        LeakWatch.assertNoLeaks();
    }
}
