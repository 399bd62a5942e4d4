package io.switchboard.support.flow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.switchboard.api.flow.Message;
import java.nio.ByteBuffer;

/**
 * A message that carries raw bytes — a chunk of a TCP stream, a datagram — and holds its buffer
 * until its handler decides. Decisions made on another thread (a handler on its own threads) hop to
 * the event loop that owns the connection; exactly one decision is taken.
 */
public abstract class BytesMessage implements Message {
    private final EventLoop loop;
    private final ByteBuf bytes;
    private boolean decided;

    protected BytesMessage(EventLoop loop, ByteBuf bytes) {
        this.loop = loop;
        this.bytes = bytes;
    }

    @Override
    public String attribute(String name) {
        return null;
    }

    @Override
    public ByteBuffer payload() {
        return bytes.nioBuffer().asReadOnlyBuffer();
    }

    @Override
    public void forward(String cluster) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> forward(cluster));
            return;
        }
        decide();
        forwarded(cluster, bytes);
    }

    @Override
    public void reply(int status, String contentType, ByteBuffer body) {
        if (!loop.inEventLoop()) {
            ByteBuffer copy = body == null ? null : ByteBuffer.allocate(body.remaining()).put(body.duplicate()).flip();
            loop.execute(() -> reply(status, contentType, copy));
            return;
        }
        decide();
        bytes.release();
        replied(body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body.duplicate()));
    }

    @Override
    public void fail(String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> fail(reason));
            return;
        }
        ByteBuf undecided = null;
        if (!decided) {
            decided = true;
            undecided = bytes;
        }
        failed(undecided);
    }

    private void decide() {
        if (decided) {
            throw new IllegalStateException("this message was already forwarded, answered or dropped");
        }
        decided = true;
    }

    /** The handler sends the bytes on to the cluster; they are the receiver's to release. */
    protected abstract void forwarded(String cluster, ByteBuf bytes);

    /** The handler answered; the answer is the receiver's to write (and release). */
    protected abstract void replied(ByteBuf answer);

    /** The handler gave up; {@code undecided} is the message's buffer when nobody took it yet, else null. */
    protected abstract void failed(ByteBuf undecided);
}
