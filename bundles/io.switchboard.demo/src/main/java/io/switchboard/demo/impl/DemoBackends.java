package io.switchboard.demo.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import io.switchboard.support.lifecycle.Handover;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The embedded default. Starts two HTTP back-ends on free loopback ports, each answering with its
 * own name, and configures a cluster {@code demo} over them and a frontend {@code demo} on
 * {@code switchboard.demo.address}:{@code switchboard.demo.port} (127.0.0.1:8080). Set
 * {@code switchboard.demo=false}, or leave this bundle out, to run without it.
 */
@Component(immediate = true)
public class DemoBackends {
    static final String[] NAMES = {"demo-1", "demo-2"};
    static final String HANDOVER_KEY = "io.switchboard.demo";

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private EventLoopGroup group;
    private final List<Channel> servers = new ArrayList<>();
    private final List<Configuration> configs = new ArrayList<>();

    private BundleContext context;

    @Activate
    @SuppressWarnings("unchecked")
    void activate(BundleContext context) throws Exception {
        this.context = context;
        if ("false".equalsIgnoreCase(context.getProperty("switchboard.demo"))) {
            log.info("demo back-ends disabled (switchboard.demo=false)");
            return;
        }
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        if (left != null) {
            // The previous version's back-ends keep answering: an update changes nothing a client sees.
            group = (EventLoopGroup) left.get("group");
            servers.addAll((List<Channel>) left.get("servers"));
            configs.addAll((List<Configuration>) left.get("configs"));
            return;
        }
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sb-demo", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<String> endpoints = new ArrayList<>();
        for (String name : NAMES) {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new NameResponder(name));
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            servers.add(ch);
            endpoints.add(name + "=127.0.0.1:" + ((InetSocketAddress) ch.localAddress()).getPort());
        }
        String address = property(context, "switchboard.demo.address", "127.0.0.1");
        String port = property(context, "switchboard.demo.port", "8080");
        log.info("demo back-ends " + endpoints + "; frontend demo on " + address + ":" + port);

        Dictionary<String, Object> cluster = new Hashtable<>();
        cluster.put("endpoints", endpoints.toArray(new String[0]));
        cluster.put("policy", "round-robin");
        apply("io.switchboard.cluster", cluster);

        Dictionary<String, Object> frontend = new Hashtable<>();
        frontend.put("address", address);
        frontend.put("port", port);
        frontend.put("cluster", "demo");
        apply("io.switchboard.frontend", frontend);
    }

    private void apply(String factoryPid, Dictionary<String, Object> props) throws Exception {
        Configuration c = configAdmin.getFactoryConfiguration(factoryPid, "demo", "?");
        c.update(props);
        configs.add(c);
    }

    private static String property(BundleContext context, String key, String dflt) {
        String v = context.getProperty(key);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    @Deactivate
    void deactivate() {
        if (group != null && context != null && !Handover.frameworkStopping(context)) {
            List<Channel> s = List.copyOf(servers);
            List<Configuration> c = List.copyOf(configs);
            EventLoopGroup g = group;
            Handover.leave(context, HANDOVER_KEY, Map.of("group", g, "servers", s, "configs", c), 10_000,
                    () -> stop(g, s, c));
            return;
        }
        stop(group, servers, configs);
    }

    private static void stop(EventLoopGroup group, List<Channel> servers, List<Configuration> configs) {
        for (Configuration c : configs) {
            try {
                c.delete();
            } catch (Exception | LinkageError e) {
                // Config Admin is going away too.
            }
        }
        servers.forEach(Channel::close);
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
