package io.switchboard.handler.http.impl;

import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.switchboard.api.log.AccessLog;
import io.switchboard.support.tls.BackendTlsContexts;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.Connection;
import io.switchboard.api.transport.FrontendProtocol;
import io.switchboard.api.transport.StreamBinding;
import io.switchboard.api.transport.StreamProtocol;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.lifecycle.LastKnownGood;
import java.util.Map;
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
 * HTTP/1.1 and HTTP/2 as a protocol frontends speak. An HTTP/1.1 connection's pipeline is the
 * byte-level framing scan, the request decoder, the framing validator and the proxy; the scan passes
 * the common requests on by itself, as {@link RequestHead}s over their bytes, past the decoder and the
 * validator (which see only the rest). HTTP/2 (over
 * TLS when ALPN picks {@code h2}; in clear text with prior knowledge when {@code h2c} is on) is
 * {@link H2Connection}: each stream is one request to the same proxy. There is no encoder:
 * responses are written as bytes. A request that breaks the framing rules is answered 400 (a
 * request line over the limit 414, a header section over it 431) and the connection closed, before
 * anything is forwarded; a request head still incomplete after the head timeout gets 408.
 */
@Component(service = FrontendProtocol.class, property = FrontendProtocol.NAME + "=http")
public class HttpProtocol implements StreamProtocol {
    /** The pool partition of this protocol's back-end connections. */
    static final String POOL = "http";

    private final LastKnownGood<ClusterDirectory> clusters = new LastKnownGood<>("io.switchboard.handler.http.protocol.clusters");

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    private final GatewayErrors gatewayErrors = new GatewayErrors(() -> log);

    private final AccessLogs accessLogs = new AccessLogs(() -> log);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindClusters(ClusterDirectory c) {
        clusters.bind(c);
    }

    void unbindClusters(ClusterDirectory c) {
        // Kept: the last directory known good serves until its replacement binds.
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            updated = "updatedAccessLog")
    void bindAccessLog(AccessLog a, Map<String, Object> props) {
        accessLogs.bind(a, props);
    }

    /** The access log was turned on or off. */
    void updatedAccessLog(AccessLog a, Map<String, Object> props) {
        accessLogs.bind(a, props);
    }

    void unbindAccessLog(AccessLog a) {
        // Kept: while the access log bundle is being updated the old service takes the entries and passes them on.
    }

    @Activate
    void activate(BundleContext context) {
        clusters.takeOver(context);
        accessLogs.takeOver(context);
    }

    @Deactivate
    void deactivate(BundleContext context) {
        clusters.leave(context);
        accessLogs.leave(context);
    }

    /** A protocol outside a framework (tests). */
    public static HttpProtocol with(ClusterDirectory clusters) {
        HttpProtocol p = new HttpProtocol();
        p.clusters.bind(clusters);
        return p;
    }

    ClusterDirectory clusters() {
        return clusters.get();
    }

    GatewayErrors gatewayErrors() {
        return gatewayErrors;
    }

    private final BackendTlsContexts backendTls = new BackendTlsContexts(m -> {
        Logger l = log;
        if (l != null) {
            l.info(m);
        }
    });

    /** Client TLS contexts for clusters with TLS to their endpoints. */
    BackendTlsContexts backendTls() {
        return backendTls;
    }

    AccessLogs accessLogs() {
        return accessLogs;
    }

    @Override
    public Map<String, String> options() {
        return HttpSettings.OPTIONS;
    }

    @Override
    public StreamBinding bind(FrontendSpec frontend) {
        HttpSettings settings;
        try {
            settings = HttpSettings.parse(frontend.options());
        } catch (ConfigProblem p) {
            throw new IllegalArgumentException(p.getMessage());
        }
        return connection -> accept(connection, settings);
    }

    private void accept(Connection connection, HttpSettings settings) {
        SocketChannel ch = connection.channel();
        ch.pipeline().addLast("idle", new IdleStateHandler(settings.clientIdleSeconds, 0, 0));
        if (ch.pipeline().get(TLS) != null) {
            // TLS: ALPN says which protocol the connection speaks once the handshake is done. Until the
            // ClientHello has chosen a certificate, "tls" is the SNI handler that becomes the SslHandler.
            ch.pipeline().addLast("alpn", new AlpnSwitch(this, connection, settings));
        } else if (settings.h2.h2c) {
            ch.pipeline().addLast("preface", new PrefaceSniffer(this, connection, settings));
        } else {
            http1(connection, settings);
        }
    }

    /** The name under which a TLS frontend's terminating handler sits, before the protocol's handlers. */
    static final String TLS = "tls";

    /** The HTTP/1.1 pipeline: framing scan, decoder (for the requests the scan does not pass itself), framing validator, proxy. */
    void http1(Connection connection, HttpSettings settings) {
        RequestFramingValidator validator = new RequestFramingValidator();
        RequestHeadScanner scanner = new RequestHeadScanner(validator, settings.requestHeadTimeoutMillis, settings, true);
        validator.scanner(scanner);
        connection.channel().pipeline()
                .addLast("scan", scanner)
                .addLast("decoder", new HttpRequestDecoder(settings.decoder))
                .addLast("framing", validator)
                .addLast("proxy", new HttpProxyHandler(connection, this, validator, settings));
    }

    /** The HTTP/2 pipeline: frames, one child channel per stream, each stream proxied as one request. */
    void http2(Connection connection, HttpSettings settings) {
        H2Connection.configure(this, connection, settings);
    }
}
