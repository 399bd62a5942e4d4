package io.switchboard.example.protocol.echo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.transport.Connection;
import io.switchboard.api.transport.DrainEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One client connection of an echo frontend, after the line decoder. Lines are answered one at a
 * time and in order: a line is routed through the switch, and the next one only once its answer
 * has been written (the handler may answer later, from another thread). The socket is read only
 * when every line read so far has been answered.
 * <p>
 * Draining ({@link DrainEvent}): the lines already read are answered, then the connection closes;
 * nothing more is read. A connection that is idle when {@link DrainEvent#DRAIN} comes stays open
 * (its client may be sending a line right now): its next line is answered, then it closes; the
 * transport closes it at the drain deadline if none comes. {@link DrainEvent#STOP} closes an idle
 * connection at once.
 */
final class EchoConnection extends ChannelInboundHandlerAdapter {
    /** Stands in the queue for a line that was too long: answered with an error, in its turn, then the connection closes. */
    private static final Object TOO_LONG = new Object();

    private final Connection connection;
    private final int maxLineBytes;
    /** Lines read (ByteBuf) and not yet routed, in order. */
    private final ArrayDeque<Object> lines = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** The line routed and not yet answered, or null. */
    private EchoMessage current;
    private boolean draining;
    /** Draining, and a line was answered since: the connection closes once nothing is left. */
    private boolean answeredWhileDraining;
    private boolean inputEnded;
    private boolean closing;
    /** Inside {@link #pump}: an answer given synchronously returns to the loop instead of recursing. */
    private boolean pumping;

    EchoConnection(Connection connection, int maxLineBytes) {
        this.connection = connection;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf line = (ByteBuf) msg;
        if (closing) {
            line.release();
            return;
        }
        connection.flow().countIn(line.readableBytes());
        lines.add(line);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        pump();
    }

    /** Routes the next line when none is waiting for its answer; reads, or closes, when no line is left. */
    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (current == null && !closing) {
                Object next = lines.poll();
                if (next == null) {
                    if (inputEnded || answeredWhileDraining) {
                        closeAfterWrites();
                    } else {
                        busy(false);
                        ctx.read();
                    }
                    return;
                }
                if (next == TOO_LONG) {
                    write(Unpooled.copiedBuffer("ERR line longer than " + maxLineBytes + " bytes\n", StandardCharsets.UTF_8));
                    closeAfterWrites();
                    return;
                }
                busy(true);
                connection.requestStarted();
                current = new EchoMessage(this, ctx.channel().eventLoop(), (ByteBuf) next);
                connection.route(current); // the answer may come back before this returns
            }
        } finally {
            pumping = false;
        }
    }

    /** The current line was answered (on the event loop). */
    void answered(ByteBuf answer) {
        current = null;
        if (closing) {
            answer.release();
            return;
        }
        write(answer);
        if (draining) {
            answeredWhileDraining = true;
        }
        pump();
    }

    /** The switch or the handler gave up on the current line: the connection ends. */
    void failed() {
        current = null;
        closeAfterWrites();
    }

    private void write(ByteBuf b) {
        connection.flow().countOut(b.readableBytes());
        ctx.writeAndFlush(b, ctx.voidPromise());
    }

    private void closeAfterWrites() {
        closing = true;
        release();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** While draining, tells the transport whether a line is in progress (counted as cut short if so at the deadline). */
    private void busy(boolean b) {
        if (draining) {
            ctx.channel().attr(DrainEvent.BUSY).set(b);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof DrainEvent) {
            draining = true;
            boolean idle = current == null && lines.isEmpty();
            busy(!idle);
            if (idle && ((DrainEvent) evt).closeIdleNow()) {
                closing = true;
                ctx.close();
            }
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // The decoder has passed on every whole line before this event; a last line without its
            // line end is dropped.
            inputEnded = true;
            pump();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException && !closing) {
            lines.add(TOO_LONG); // answered after the lines before it
            pump();
        } else {
            // Resets and broken pipes are the client's business: the connection simply ends.
            closing = true;
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        release();
    }

    private void release() {
        Object o;
        while ((o = lines.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }
}
