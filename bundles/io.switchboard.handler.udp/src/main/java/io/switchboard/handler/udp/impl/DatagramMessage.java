package io.switchboard.transport.impl.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.switchboard.transport.impl.BytesMessage;

/** A datagram as a message of its flow; a failed one is dropped. */
final class DatagramMessage extends BytesMessage {
    private final UdpFlow flow;

    DatagramMessage(UdpFlow flow, EventLoop loop, ByteBuf data) {
        super(loop, data);
        this.flow = flow;
    }

    @Override
    protected void forwarded(String cluster, ByteBuf data) {
        flow.forward(cluster, data);
    }

    @Override
    protected void replied(ByteBuf answer) {
        flow.reply(answer);
    }

    @Override
    protected void failed(ByteBuf undecided) {
        if (undecided != null) {
            flow.frontend().drop(undecided);
        }
    }
}
