package io.switchboard.handler.udp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.switchboard.support.flow.BytesMessage;

/** A datagram as a message of its flow; a failed one is dropped. */
final class DatagramMessage extends BytesMessage {
    private final UdpRelay relay;

    DatagramMessage(UdpRelay relay, EventLoop loop, ByteBuf data) {
        super(loop, data);
        this.relay = relay;
    }

    @Override
    protected void forwarded(String cluster, ByteBuf data) {
        relay.forward(cluster, data);
    }

    @Override
    protected void replied(ByteBuf answer) {
        relay.reply(answer);
    }

    @Override
    protected void failed(ByteBuf undecided) {
        if (undecided != null) {
            relay.flow().drop(undecided);
        }
    }
}
