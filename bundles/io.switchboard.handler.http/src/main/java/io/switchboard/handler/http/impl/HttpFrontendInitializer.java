package io.switchboard.transport.impl.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.transport.impl.Frontend;
import io.switchboard.transport.impl.UpstreamPool;

/**
 * Pipeline of an HTTP/1.1 client connection: the byte-level framing scan, the request decoder, the
 * framing validator, the proxy. There is no encoder: responses are written as bytes. A request that breaks the framing rules is answered 400 (a request line over
 * the limit 414, a header section over it 431) and the connection closed, before anything is
 * forwarded; a request head still incomplete after the head timeout gets 408.
 */
public final class HttpFrontendInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_CHUNK = 16384;

    /**
     * Request-head limits of a frontend's connections: the request line and the header section in
     * bytes (values below 64 and 256 are raised to those), the time to complete a head (0 = none).
     */
    public record Limits(int maxUriBytes, int maxHeaderBytes, long requestHeadTimeoutMillis) {
        /** 8 KiB request line, 16 KiB header section, 10 s to send a request head. */
        public static final Limits DEFAULTS = new Limits(8192, 16384, 10_000);

        public Limits {
            // Configuration Admin does not enforce the metatype's minimums: a bad value must not stop a frontend.
            maxUriBytes = Math.max(64, maxUriBytes);
            maxHeaderBytes = Math.max(256, maxHeaderBytes);
            requestHeadTimeoutMillis = Math.max(0, requestHeadTimeoutMillis);
        }
    }

    private final Frontend frontend;
    private final ClusterDirectory clusters;
    private final UpstreamPool pool;
    private final int idleSeconds;
    private final IntelligentSwitch switchboard;
    private final Limits limits;
    private final HttpDecoderConfig decoder;
    private final String via;

    public HttpFrontendInitializer(Frontend frontend, ClusterDirectory clusters, UpstreamPool pool, int idleSeconds,
                                   IntelligentSwitch switchboard) {
        this(frontend, clusters, pool, idleSeconds, switchboard, Limits.DEFAULTS, null);
    }

    public HttpFrontendInitializer(Frontend frontend, ClusterDirectory clusters, UpstreamPool pool, int idleSeconds,
                                   IntelligentSwitch switchboard, Limits limits) {
        this(frontend, clusters, pool, idleSeconds, switchboard, limits, null);
    }

    /**
     * @param via the Via header's received-by pseudonym added to forwarded requests and responses
     *            (RFC 9110 §7.6.3); null or empty for none
     */
    public HttpFrontendInitializer(Frontend frontend, ClusterDirectory clusters, UpstreamPool pool, int idleSeconds,
                                   IntelligentSwitch switchboard, Limits limits, String via) {
        this.via = via == null || via.isEmpty() ? null : "1.1 " + via;
        this.frontend = frontend;
        this.clusters = clusters;
        this.pool = pool;
        this.idleSeconds = idleSeconds;
        this.switchboard = switchboard;
        this.limits = limits;
        // Strict whatever the JVM's defaults say; identical Content-Length values are folded into one
        // (RFC 9110 §8.6), differing ones are rejected (and by the scanner first).
        this.decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxUriBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(true)
                // The scanner in front of the codec already refuses header names that are not tokens
                // and values with control bytes; checking them twice costs a few per cent per request.
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withNameValidation(false).withValidation(false))
                .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withNameValidation(false).withValidation(false));
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        String cluster = frontend.admit(ch);
        if (cluster == null) {
            return;
        }
        frontend.opened(ch);
        RequestFramingValidator validator = new RequestFramingValidator();
        RequestHeadScanner scanner = new RequestHeadScanner(validator, limits.requestHeadTimeoutMillis());
        validator.scanner(scanner);
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(idleSeconds, 0, 0))
                .addLast("scan", scanner)
                .addLast("decoder", new HttpRequestDecoder(decoder))
                .addLast("framing", validator)
                .addLast("proxy", new HttpProxyHandler(frontend, cluster, clusters, pool, switchboard, validator, via));
    }
}
