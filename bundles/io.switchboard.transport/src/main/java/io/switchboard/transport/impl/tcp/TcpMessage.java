package io.switchboard.transport.impl.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.flow.Message;
import java.nio.ByteBuffer;

/** A chunk of a TCP stream as a message of its flow. Decisions made on other threads hop to the loop. */
final class TcpMessage implements Message {
    private final TcpClientHandler connection;
    private final EventLoop loop;
    private final ByteBuf bytes;
    private boolean decided;

    TcpMessage(TcpClientHandler connection, EventLoop loop, ByteBuf bytes) {
        this.connection = connection;
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
        if (decide()) {
            connection.forward(cluster, bytes);
        }
    }

    @Override
    public void reply(int status, String contentType, ByteBuffer body) {
        if (!loop.inEventLoop()) {
            ByteBuffer copy = body == null ? null : ByteBuffer.allocate(body.remaining()).put(body.duplicate()).flip();
            loop.execute(() -> reply(status, contentType, copy));
            return;
        }
        if (decide()) {
            bytes.release();
            connection.replied(body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body.duplicate()));
        }
    }

    @Override
    public void fail(String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> fail(reason));
            return;
        }
        if (!decided) {
            decided = true;
            ReferenceCountUtil.release(bytes);
        }
        connection.failed();
    }

    private boolean decide() {
        if (decided) {
            throw new IllegalStateException("this message was already forwarded or answered");
        }
        decided = true;
        return true;
    }
}
