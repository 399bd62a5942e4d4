package io.switchboard.handler.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.switchboard.support.flow.BytesMessage;

/** A chunk of a TCP stream as a message of its flow. */
final class TcpMessage extends BytesMessage {
    private final TcpClientHandler connection;
    private final String serverName;
    private final String sniCluster;

    /**
     * @param serverName the TLS server name read from the ClientHello (frontends with {@code sniClusters}), or null
     * @param sniCluster the cluster {@code sniClusters} gives that name, or null
     */
    TcpMessage(TcpClientHandler connection, EventLoop loop, ByteBuf bytes, String serverName, String sniCluster) {
        super(loop, bytes);
        this.connection = connection;
        this.serverName = serverName;
        this.sniCluster = sniCluster;
    }

    /** {@code sni}: the server name of the ClientHello read on a frontend that routes by it (classifiers may read it too). */
    @Override
    public String attribute(String name) {
        return "sni".equals(name) ? serverName : null;
    }

    /** The cluster the frontend's {@code sniClusters} gives this connection's server name; null: the flow's own. */
    String sniCluster() {
        return sniCluster;
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
