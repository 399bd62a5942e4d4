package io.switchboard.handler.http.impl;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.transport.Connection;
import io.switchboard.api.transport.DrainEvent;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client connection: Netty's frame codec (HPACK, flow control, the protocol's rules and
 * the flood limits), one child channel per stream, and in front of them this handler, which ends
 * the connection when it drains or idles.
 *
 * <p>Each stream's child channel runs the same {@link HttpProxyHandler} as an HTTP/1.1 connection,
 * for one request: frames become an {@code HttpRequest} and its contents, and the response bytes the
 * proxy writes become HEADERS and DATA again ({@link StreamResponseWriter}). So routing rules,
 * policies, the per-loop back-end pools, forwarding headers, the access log and the metrics are the
 * HTTP/1.1 ones. A stream's writability follows its flow-control window, and the proxy stops
 * reading the back-end while the stream is not writable: the back-end is read no faster than the
 * client's window opens.
 *
 * <p>Draining sends GOAWAY at once with the highest stream id (requests already on their way are
 * still served), then, a moment later, GOAWAY with the last stream id; the streams in progress
 * finish, and the connection closes once the last one has.
 */
final class H2Connection extends ChannelInboundHandlerAdapter {
    /** How long after the first GOAWAY of a drain the client has had to stop opening streams. */
    static final long GOAWAY_SETTLE_MILLIS = 1000;

    private final Http2FrameCodec codec;
    private boolean draining;
    /** The connection's count among its client's connections (sessionEnd = close), shared by its streams. */
    private final ConnectionSession session;

    private H2Connection(Http2FrameCodec codec, ConnectionSession session) {
        this.codec = codec;
        this.session = session;
    }

    static void configure(HttpProtocol protocol, Connection connection, HttpSettings settings) {
        H2Limits limits = settings.h2;
        Http2Settings initial = new Http2Settings()
                .maxConcurrentStreams(limits.maxConcurrentStreams)
                .maxHeaderListSize(limits.maxHeaderListBytes)
                .maxFrameSize(limits.maxFrameBytes);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(initial)
                .validateHeaders(true)
                .validateRequiredPseudoHeaders(true)
                .encoderEnforceMaxQueuedControlFrames(H2Limits.MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxRstFramesPerWindow(limits.maxResets, limits.resetWindowSeconds)
                .build();
        ConnectionSession session = new ConnectionSession();
        connection.channel().pipeline()
                // Responses of several streams come from several back-end reads of one loop iteration:
                // flushed once, at its end, not once per stream.
                .addLast("h2-flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
                .addLast("h2-connection", new H2Connection(codec, session))
                .addLast("h2", codec)
                .addLast("h2-streams", new Http2MultiplexHandler(new StreamInitializer(protocol, connection, settings, session)))
                .addLast("h2-end", END);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof DrainEvent) {
            drain(ctx, ((DrainEvent) evt).closeIdleNow());
        } else if (evt instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.channel().close(); // from the tail, through the codec: GOAWAY first
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void drain(ChannelHandlerContext ctx, boolean closeIdleNow) {
        Channel ch = ctx.channel();
        boolean idle = codec.connection().numActiveStreams() == 0;
        ch.attr(DrainEvent.BUSY).set(!idle);
        if (idle && closeIdleNow) {
            ch.close();
            return;
        }
        if (draining) {
            return;
        }
        draining = true;
        // GOAWAY with the highest id: the client opens no more streams, those on their way are served.
        ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        ch.eventLoop().schedule(() -> {
            if (!ch.isActive()) {
                return;
            }
            // GOAWAY with the real last stream id; the connection closes once its streams are done.
            ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
            closeWhenIdle(ch);
            codec.connection().addListener(new Http2ConnectionAdapter() {
                @Override
                public void onStreamClosed(Http2Stream stream) {
                    // After the stream's last frame has gone out: its close runs before that is flushed.
                    ch.eventLoop().execute(() -> closeWhenIdle(ch));
                }
            });
        }, GOAWAY_SETTLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void closeWhenIdle(Channel ch) {
        boolean idle = codec.connection().numActiveStreams() == 0;
        ch.attr(DrainEvent.BUSY).set(!idle);
        if (idle && ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ch.close());
        }
    }

    /** The connection closed: it no longer counts among its client's connections (its streams never did by themselves). */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.end();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /**
     * Last on the connection: the frame codec has already answered a connection error (GOAWAY, then
     * the close) when its exception comes here, and the connection-level frames the streams do not
     * take (SETTINGS, PING, GOAWAY from the client) end here.
     */
    static final class End extends ChannelInboundHandlerAdapter {
        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Answered by the codec; an I/O error (a reset) simply ends the connection.
            if (!(cause instanceof Http2Exception)) {
                ctx.close();
            }
        }
    }

    private static final End END = new End();

    /** Sets up each stream's child channel as one request to the proxy. */
    private static final class StreamInitializer extends ChannelInitializer<Channel> {
        private final HttpProtocol protocol;
        private final Connection connection;
        private final HttpSettings settings;
        private final ConnectionSession session;

        StreamInitializer(HttpProtocol protocol, Connection connection, HttpSettings settings, ConnectionSession session) {
            this.protocol = protocol;
            this.connection = connection;
            this.settings = settings;
            this.session = session;
        }

        @Override
        protected void initChannel(Channel stream) {
            stream.pipeline()
                    // Header validation is the frame codec's (done once, as HPACK decodes).
                    .addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true, false))
                    .addLast("h2-response", new StreamResponseWriter())
                    .addLast("h2-request", new StreamRequestCheck())
                    .addLast("proxy", new HttpProxyHandler(connection, protocol, settings, session));
        }
    }
}
