package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.Endpoint;
import io.switchboard.api.transport.BackendPool;

/**
 * The back-end side of a pooled HTTP connection: frames its responses at the byte level
 * ({@link ResponseReader}) and passes them to the exchange that owns the connection.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter implements ResponseReader.Listener {
    private final Endpoint endpoint;
    private ChannelHandlerContext ctx;
    private ResponseReader reader;
    private Exchange exchange;

    BackendHandler(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * An idle pooled connection to the endpoint. One an older version of this bundle released has the
     * older response reader in its pipeline: it is clean (only a cleanly ended exchange releases a
     * connection), so this version's reader takes its place.
     */
    static Channel takeIdle(BackendPool pool, String partition, Endpoint e) {
        Channel ch;
        while ((ch = pool.pollIdle(partition, e)) != null) {
            if (ch.pipeline().get(BackendHandler.class) != null) {
                return ch;
            }
            if (ch.pipeline().get(BackendInitializer.HANDLER) != null) {
                ch.pipeline().replace(BackendInitializer.HANDLER, BackendInitializer.HANDLER, new BackendHandler(e));
                return ch;
            }
            ch.close(); // not one of ours
        }
        return null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.reader = new ResponseReader(this);
    }

    /** The exchange's request goes out on this connection: its response is read next. */
    void attach(Exchange e, boolean headRequest) {
        attach(e, headRequest, false);
    }

    /** As {@link #attach(Exchange, boolean)}; {@code upgrade}: the request asked for an upgrade, a 101 may answer. */
    void attach(Exchange e, boolean headRequest, boolean upgrade) {
        this.exchange = e;
        reader.expect(headRequest, upgrade);
    }

    /** The chunked body of the response in progress goes to the client as its data only. */
    void dechunk() {
        reader.dechunk();
    }

    void detach() {
        this.exchange = null;
    }

    /** The exchange gives the connection up before its response ended: it will be closed, nothing more is read. */
    void abandon() {
        this.exchange = null;
        reader.abandon();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            reader.read((ByteBuf) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void responseHead(ResponseHead head) {
        Exchange e = exchange;
        if (e != null) {
            e.responseHead(head);
        }
    }

    @Override
    public void responseBody(ByteBuf part) {
        Exchange e = exchange;
        if (e != null) {
            e.responseBody(part);
        } else {
            part.release();
        }
    }

    @Override
    public void responseEnd() {
        Exchange e = exchange;
        if (e != null) {
            e.responseEnd();
        }
    }

    @Override
    public void switched(ResponseHead head, ByteBuf rest) {
        Exchange e = exchange;
        if (e == null || !e.switched(head, rest)) {
            if (rest != null) {
                rest.release();
            }
            ctx.close(); // a switch nobody asked for: this connection speaks something else now
        }
    }

    @Override
    public void responseInvalid(String reason) {
        // A response that cannot be framed safely: the client gets a 502 (or, mid-response, a close)
        // and this connection, whose stream can no longer be trusted, is never reused.
        Exchange e = exchange;
        if (e != null) {
            e.backendResponseInvalid(reason);
        }
        ctx.close();
    }

    @Override
    public void outOfStep() {
        // Bytes no request asked for (on an idle connection, or after a response): the back-end is out of
        // step. Closed now, before the response ends, so it can never go back to the pool.
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.flushClient();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.backendWritable(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            if (reader.endsAtClose()) {
                e.responseEnd(); // a response without framing ends with the connection
            } else {
                e.backendClosed();
            }
        }
        // idle in the pool: the pool forgets it by itself
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            Exchange e = exchange;
            if (e == null) {
                ctx.close(); // idle in the pool past the cluster's idle timeout
            } else {
                e.backendIdle();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive tells the exchange
    }
}
