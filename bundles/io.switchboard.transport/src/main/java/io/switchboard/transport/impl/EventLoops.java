package io.switchboard.transport.impl;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchboard.api.runtime.TransportInfo;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The switching threads: one Netty event loop group on the native epoll transport, or on NIO with
 * a clear log line saying why epoll could not load.
 */
@Component(configurationPid = "io.switchboard.transport", service = {TransportInfo.class, EventLoops.class})
@Designate(ocd = EventLoops.Config.class)
public class EventLoops implements TransportInfo {

    @ObjectClassDefinition(name = "Switchboard transport")
    public @interface Config {
        @AttributeDefinition(description = "Number of event loops; 0 = one per core.", min = "0", max = "1024")
        int eventLoops() default 0;

        @AttributeDefinition(description = "auto (epoll when it loads) or nio.")
        String transport() default "auto";
    }

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private EventLoopGroup group;
    private EventLoop[] members;
    private boolean epoll;
    private String fallbackReason;
    private int loops;

    @Activate
    void activate(Config config) {
        loops = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
        IoHandlerFactory factory;
        if ("nio".equalsIgnoreCase(config.transport())) {
            fallbackReason = "nio chosen by configuration";
        } else if (!Epoll.isAvailable()) {
            Throwable cause = Epoll.unavailabilityCause();
            fallbackReason = "epoll unavailable: " + (cause == null ? "unknown" : cause.toString());
        }
        epoll = fallbackReason == null;
        factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("sb-io", true), factory);
        members = new EventLoop[loops];
        int i = 0;
        for (EventExecutor e : group) {
            members[i++] = (EventLoop) e;
        }
        if (epoll) {
            log.info("transport epoll, " + loops + " event loops");
        } else {
            log.warn("transport nio (fallback), " + loops + " event loops: " + fallbackReason);
        }
    }

    @Deactivate
    void deactivate() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    public EventLoopGroup group() { return group; }

    /** The i-th event loop of the group (0 &lt;= i &lt; eventLoops()). */
    public EventLoop loop(int i) { return members[i]; }

    public boolean isEpoll() { return epoll; }

    public Class<? extends ServerChannel> serverChannelClass() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannelClass() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override public String name() { return epoll ? "epoll" : "nio"; }
    @Override public String fallbackReason() { return fallbackReason; }
    @Override public int eventLoops() { return loops; }
}
