package io.switchboard.handler.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.switchboard.support.flow.BytesMessage;

/** A chunk of a TCP stream as a message of its flow. */
final class TcpMessage extends BytesMessage {
    private final TcpClientHandler connection;

    TcpMessage(TcpClientHandler connection, EventLoop loop, ByteBuf bytes) {
        super(loop, bytes);
        this.connection = connection;
    }

    @Override
    protected void forwarded(String cluster, ByteBuf bytes) {
        connection.forward(cluster, bytes);
    }

    @Override
    protected void replied(ByteBuf answer) {
        connection.replied(answer);
    }

    @Override
    protected void failed(ByteBuf undecided) {
        if (undecided != null) {
            undecided.release();
        }
        connection.failed();
    }
}
