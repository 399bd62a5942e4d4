package io.switchboard.transport.impl.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.switchboard.api.flow.Message;
import java.nio.ByteBuffer;

/**
 * A datagram as a message of its flow. It holds the datagram's buffer until its handler decides;
 * decisions made on other threads hop to the frontend's event loop.
 */
final class DatagramMessage implements Message {
    private final UdpFlow flow;
    private final EventLoop loop;
    private final ByteBuf data;
    private boolean decided;

    DatagramMessage(UdpFlow flow, EventLoop loop, ByteBuf data) {
        this.flow = flow;
        this.loop = loop;
        this.data = data;
    }

    @Override
    public String attribute(String name) {
        return null;
    }

    @Override
    public ByteBuffer payload() {
        return data.nioBuffer().asReadOnlyBuffer();
    }

    @Override
    public void forward(String cluster) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> forward(cluster));
            return;
        }
        decide();
        flow.forward(cluster, data);
    }

    @Override
    public void reply(int status, String contentType, ByteBuffer body) {
        if (!loop.inEventLoop()) {
            ByteBuffer copy = body == null ? null : ByteBuffer.allocate(body.remaining()).put(body.duplicate()).flip();
            loop.execute(() -> reply(status, contentType, copy));
            return;
        }
        decide();
        data.release();
        flow.reply(body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body.duplicate()));
    }

    @Override
    public void fail(String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> fail(reason));
            return;
        }
        if (!decided) {
            decided = true;
            flow.frontend().drop(data);
        }
    }

    private void decide() {
        if (decided) {
            throw new IllegalStateException("this message was already forwarded, answered or dropped");
        }
        decided = true;
    }
}
