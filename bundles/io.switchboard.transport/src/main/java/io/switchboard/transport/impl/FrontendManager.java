package io.switchboard.transport.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.runtime.Protocol;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.transport.impl.http.HttpFrontendInitializer;
import io.switchboard.transport.impl.tcp.TcpFrontendInitializer;
import io.switchboard.transport.impl.udp.UdpFrontend;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * Binds, changes and closes frontends. A bind failure is logged and kept in the frontend's status;
 * it never stops another frontend. Removing a frontend closes its listener first and lets its
 * connections finish the request in progress within the grace period.
 */
@Component(configurationPid = "io.switchboard.frontends", service = {FrontendService.class, FrontendManager.class})
@Designate(ocd = FrontendManager.Config.class)
public class FrontendManager implements FrontendService {

    @ObjectClassDefinition(name = "Switchboard frontends (common settings)")
    public @interface Config {
        @AttributeDefinition(description = "Event loops accepting on each frontend at start (0 = all); the spawner changes it between its bounds.", min = "0")
        int acceptors() default 0;

        @AttributeDefinition(description = "Seconds in-flight requests get to finish when a frontend is removed or the platform stops.", min = "0")
        int gracePeriodSeconds() default 10;

        @AttributeDefinition(description = "Seconds a client connection may stay idle between requests.", min = "1")
        int clientIdleSeconds() default 60;

        @AttributeDefinition(description = "Seconds to wait for a back-end connection to open.", min = "1")
        int connectTimeoutSeconds() default 5;

        @AttributeDefinition(description = "TCP frontends: milliseconds to wait for a client's first bytes before the flow is routed without them (protocols where the server speaks first).", min = "0")
        int firstBytesWaitMillis() default 200;

        @AttributeDefinition(description = "UDP frontends: seconds a client's flow may see no datagram either way before it is closed.", min = "1")
        int udpIdleSeconds() default 30;

        @AttributeDefinition(description = "HTTP frontends: largest request line (method, target, version) in bytes; a longer one gets 414.", min = "64")
        int maxUriBytes() default 8192;

        @AttributeDefinition(description = "HTTP frontends: largest request header section in bytes; a larger one gets 431.", min = "256")
        int maxHeaderBytes() default 16384;

        @AttributeDefinition(description = "HTTP frontends: seconds a client has to complete a request head once it has begun one; then 408 and the connection is closed (0 = no limit).", min = "0")
        int requestHeadTimeoutSeconds() default 10;

        @AttributeDefinition(description = "HTTP frontends: pseudonym for the Via header added to forwarded requests and responses (e.g. switchboard); empty for none.")
        String via() default "";
    }

    @Reference
    private EventLoops loops;

    @Reference
    private ClusterDirectory clusters;

    @Reference
    private IntelligentSwitch switchboard;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private final Map<String, Frontend> frontends = new ConcurrentHashMap<>();
    /** Removed frontends whose connections are still finishing: a platform stop waits for them too. */
    private final Set<Frontend> draining = ConcurrentHashMap.newKeySet();
    private Config config;
    private UpstreamPool pool;
    /** Event loops accepting on each TCP/HTTP frontend; the spawner changes it. */
    private int acceptors;

    @Activate
    void activate(Config config) {
        this.config = config;
        this.acceptors = config.acceptors() > 0 ? Math.min(config.acceptors(), loops.eventLoops()) : loops.eventLoops();
        if (!loops.isEpoll()) {
            acceptors = 1;
        }
        this.pool = new UpstreamPool(loops.socketChannelClass(), config.connectTimeoutSeconds() * 1000);
    }

    /** The configured Via pseudonym if it is a token (a bad one is logged and left out), else null. */
    private String via() {
        String v = config.via() == null ? "" : config.via().trim();
        if (v.isEmpty()) {
            return null;
        }
        if (!v.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            log.error("config rejected: key 'via': '" + v + "' is not a token (letters, digits, !#$%&'*+.^_`|~-); no Via header is added");
            return null;
        }
        return v;
    }

    @Override
    public synchronized void apply(FrontendSpec spec) {
        Frontend existing = frontends.get(spec.name());
        if (existing != null) {
            FrontendSpec old = existing.spec();
            boolean sameSocket = old.protocol() == spec.protocol() && old.bindAddress().equals(spec.bindAddress())
                    && old.port() == spec.port() && existing.listener() != null;
            if (sameSocket) {
                existing.spec(spec); // connections read the spec per request: a new cluster applies at once
                return;
            }
            drain(existing, false);
        }
        Frontend frontend = new Frontend(spec);
        frontends.put(spec.name(), frontend);
        bind(frontend);
    }

    private void bind(Frontend frontend) {
        FrontendSpec spec = frontend.spec();
        if (spec.protocol() == Protocol.UDP) {
            // One datagram socket on one event loop, which owns the frontend's flow table. Closing it
            // (drain, deactivate) closes every flow and upstream socket before the close completes.
            ChannelFuture u = UdpFrontend.bind(frontend, loops.group(), "epoll".equals(loops.name()), clusters, switchboard,
                    config.udpIdleSeconds(), UdpFrontend.DEFAULT_MAX_FLOWS, m -> log.warn(m)).awaitUninterruptibly();
            if (u.isSuccess()) {
                frontend.listening(u.channel());
                log.info("frontend " + spec.name() + " listening on " + u.channel().localAddress()
                        + " (udp, " + loops.name() + ") -> cluster " + spec.cluster());
            } else {
                bindFailed(frontend, u.cause(), " (udp)");
            }
            return;
        }
        ChannelFuture f = listen(frontend, loops.loop(0), spec.port());
        if (f.isSuccess()) {
            frontend.listening(f.channel());
            int port = ((InetSocketAddress) f.channel().localAddress()).getPort();
            for (int i = 1; i < acceptors; i++) {
                addAcceptor(frontend, i, port);
            }
            log.info("frontend " + spec.name() + " listening on " + f.channel().localAddress()
                    + " (" + spec.protocol().name().toLowerCase() + ", " + loops.name() + ", "
                    + frontend.listeners().size() + " accepting loops) -> "
                    + (spec.services().isEmpty() ? "cluster " + spec.cluster() : "services " + spec.services()));
        } else {
            bindFailed(frontend, f.cause(), "");
        }
    }

    /** Records and logs why a frontend cannot listen; the other frontends go on. */
    private void bindFailed(Frontend frontend, Throwable c, String kind) {
        FrontendSpec spec = frontend.spec();
        String why = c instanceof BindException || String.valueOf(c.getMessage()).contains("in use")
                ? "port " + spec.port() + " already in use on " + spec.bindAddress()
                : c.toString();
        frontend.failed(why);
        log.error("frontend " + spec.name() + " cannot listen on " + spec.bindAddress() + ":" + spec.port()
                + kind + ": " + why + "; other frontends are not affected");
    }

    /**
     * Binds one listening socket of the frontend on one event loop, which also owns every connection
     * it accepts. With epoll the sockets of all accepting loops share the address (SO_REUSEPORT): the
     * kernel spreads new connections over them and each loop accepts in parallel.
     */
    private ChannelFuture listen(Frontend frontend, EventLoop loop, int port) {
        FrontendSpec spec = frontend.spec();
        ChannelInitializer<SocketChannel> init = spec.protocol() == Protocol.HTTP
                ? new HttpFrontendInitializer(frontend, clusters, pool, config.clientIdleSeconds(), switchboard,
                        new HttpFrontendInitializer.Limits(config.maxUriBytes(), config.maxHeaderBytes(),
                                TimeUnit.SECONDS.toMillis(config.requestHeadTimeoutSeconds())), via())
                : new TcpFrontendInitializer(frontend, clusters, pool, switchboard, config.firstBytesWaitMillis());
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loops.isEpoll() ? loop : loops.group()) // NIO: one acceptor spreads its connections
                .channel(loops.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init);
        if (loops.isEpoll()) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        if (spec.protocol() == Protocol.TCP) {
            // Read nothing until the back-end connection is open; each side closes its half on its own.
            b.childOption(ChannelOption.AUTO_READ, false).childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        return b.bind(spec.bindAddress(), port).awaitUninterruptibly();
    }

    private void addAcceptor(Frontend frontend, int loopIndex, int port) {
        ChannelFuture f = listen(frontend, loops.loop(loopIndex), port);
        if (f.isSuccess()) {
            frontend.addListener(f.channel());
        } else {
            log.warn("frontend " + frontend.spec().name() + ": event loop " + loopIndex + " cannot accept on port "
                    + port + ": " + f.cause());
        }
    }

    /** How many event loops accept on every TCP and HTTP frontend now. */
    public synchronized int acceptors() {
        return acceptors;
    }

    /**
     * Changes the number of event loops that accept on every TCP and HTTP frontend (the spawner's
     * lever). A loop that stops accepting keeps serving the connections it owns; with the kernel's
     * request migration on, connections waiting in a closed socket's queue move to the others.
     */
    public synchronized void setAcceptors(int n) {
        int target = Math.max(1, Math.min(n, loops.eventLoops()));
        if (!loops.isEpoll()) {
            target = 1; // without SO_REUSEPORT one socket accepts for all
        }
        if (target == acceptors) {
            return;
        }
        for (Frontend f : frontends.values()) {
            if (f.spec().protocol() == Protocol.UDP || f.listener() == null) {
                continue;
            }
            int port = ((InetSocketAddress) f.listener().localAddress()).getPort();
            for (int i = f.listeners().size(); i < target; i++) {
                addAcceptor(f, i, port);
            }
            Channel extra;
            while (f.listeners().size() > target && (extra = f.removeLastListener()) != null) {
                extra.close().awaitUninterruptibly();
            }
        }
        acceptors = target;
    }

    @Override
    public synchronized void remove(String name) {
        Frontend f = frontends.remove(name);
        if (f != null) {
            drain(f, false);
        }
    }

    /** Closes the listener, asks every connection to finish its request and close, and enforces the grace period. */
    private void drain(Frontend f, boolean wait) {
        if (f.closeListeners() > 0) {
            log.info("frontend " + f.spec().name() + " closed its listener; " + f.connections().size()
                    + " connections finish within " + config.gracePeriodSeconds() + " s");
        }
        for (Channel ch : f.connections()) {
            ch.pipeline().fireUserEventTriggered(Frontend.DRAIN);
        }
        if (f.connections().isEmpty()) {
            return;
        }
        draining.add(f);
        if (wait) {
            awaitConnections(f, System.nanoTime() + TimeUnit.SECONDS.toNanos(config.gracePeriodSeconds()));
        } else {
            loops.group().schedule(() -> {
                f.connections().close();
                draining.remove(f);
            }, config.gracePeriodSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Lets the frontend's connections finish until the deadline, then closes what is left. */
    private void awaitConnections(Frontend f, long deadline) {
        while (!f.connections().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        f.connections().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        draining.remove(f);
    }

    @Deactivate
    synchronized void deactivate() {
        List<Frontend> all = new ArrayList<>(frontends.values());
        frontends.clear();
        // Listeners first, all of them, so no new connection arrives while the others drain.
        for (Frontend f : all) {
            f.closeListeners();
        }
        for (Frontend f : all) {
            drain(f, true);
        }
        // Frontends removed just before (their configuration went first) finish within the same grace period.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.gracePeriodSeconds());
        for (Frontend f : List.copyOf(draining)) {
            awaitConnections(f, deadline);
        }
        pool.closeAll(loops.group());
    }

    @Override
    public List<FrontendStatus> frontends() {
        List<FrontendStatus> out = new ArrayList<>();
        for (Frontend f : frontends.values()) {
            out.add(f.status());
        }
        out.sort(Comparator.comparing(s -> s.spec().name()));
        return out;
    }
}
