package io.switchboard.handler.tcp.impl;

import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.DrainEvent;
import io.switchboard.api.transport.FrontendProtocol;
import io.switchboard.api.transport.StreamBinding;
import io.switchboard.api.transport.StreamProtocol;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.LastKnownGood;
import java.util.List;
import io.switchboard.support.log.Throttled;
import io.switchboard.support.tls.BackendTlsContexts;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * TCP as a protocol frontends speak: each connection's first bytes go through the intelligent
 * switch as its flow's first message; once its handler forwards it, the bytes are relayed both ways
 * to an endpoint, each direction closing on its own (half-close). A relayed stream has no request
 * boundary: when its code is replaced it runs on, on the code that opened it, until it ends
 * ({@link DrainEvent#OPEN_ENDED}).
 */
@Component(service = FrontendProtocol.class, property = FrontendProtocol.NAME + "=tcp")
public class TcpProtocol implements StreamProtocol {
    static final Map<String, String> OPTIONS = Map.of(
            "firstBytesWaitMillis", "milliseconds to wait for a client's first bytes before the flow is routed without them (protocols where the server speaks first; 200)",
            "sniClusters", "route TLS connections without terminating them, by the server name in the ClientHello: NAME=CLUSTER, comma separated (NAME may be *.example.com); others go to the frontend's cluster",
            "splice", "relay with splice(2), the bytes never entering the JVM, when both connections are plain epoll TCP sockets (no TLS to the endpoint): true|false (true)");

    private final LastKnownGood<ClusterDirectory> clusters = new LastKnownGood<>("io.switchboard.handler.tcp.protocol.clusters");

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    private final BackendTlsContexts backendTls = new BackendTlsContexts(m -> log(false, m));
    private final Throttled tlsFailures = new Throttled(10, TimeUnit.SECONDS);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindClusters(ClusterDirectory c) {
        clusters.bind(c);
    }

    void unbindClusters(ClusterDirectory c) {
        // Kept: the last directory known good serves until its replacement binds.
    }

    @Activate
    void activate(BundleContext context) {
        clusters.takeOver(context);
    }

    @Deactivate
    void deactivate(BundleContext context) {
        clusters.leave(context);
    }

    /** A protocol outside a framework (tests). */
    public static TcpProtocol with(ClusterDirectory clusters) {
        TcpProtocol p = new TcpProtocol();
        p.clusters.bind(clusters);
        return p;
    }

    ClusterDirectory clusters() {
        return clusters.get();
    }

    /** Client TLS contexts for clusters with TLS to their endpoints. */
    BackendTlsContexts backendTls() {
        return backendTls;
    }

    /** A relay's TLS handshake with an endpoint failed: logged once per burst, with the reason. */
    void tlsFailed(String frontend, String why) {
        tlsFailures.occurred(m -> log(true, m), "frontend " + frontend + ": relay closed: " + why);
    }

    private void log(boolean warn, String m) {
        Logger l = log;
        if (l == null) {
            System.out.println((warn ? "WARN  " : "INFO  ") + "handler.tcp: " + m); // outside a framework (tests)
        } else if (warn) {
            l.warn(m);
        } else {
            l.info(m);
        }
    }

    @Override
    public Map<String, String> options() {
        return OPTIONS;
    }

    @Override
    public StreamBinding bind(FrontendSpec frontend) {
        long firstBytesWaitMillis;
        SniClusters sni;
        boolean splice;
        try {
            ConfigReader r = new ConfigReader(frontend.options(), OPTIONS.keySet());
            r.rejectUnknownKeys();
            firstBytesWaitMillis = r.integer("firstBytesWaitMillis", 200, 0, 600_000);
            splice = r.bool("splice", true);
            List<String> items = r.list("sniClusters");
            try {
                sni = items.isEmpty() ? null : SniClusters.parse(items);
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem("sniClusters", e.getMessage());
            }
        } catch (ConfigProblem p) {
            throw new IllegalArgumentException(p.getMessage());
        }
        log(false, "frontend " + frontend.name() + ": relays " + (!splice ? "copy (splice = false)"
                : SpliceRelay.AVAILABLE ? "splice when both sides are plain epoll sockets (transport = epoll), else copy" : "copy (splice(2) unavailable: no native epoll)"));
        return connection -> {
            SocketChannel ch = connection.channel();
            // Read nothing until the back-end connection is open; each side closes its half on its own.
            ch.config().setAutoRead(false);
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            ch.attr(DrainEvent.OPEN_ENDED).set(true);
            ch.pipeline().addLast("relay", new TcpClientHandler(connection, this, firstBytesWaitMillis, sni, splice));
        };
    }
}
