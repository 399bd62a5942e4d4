package io.switchboard.api.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.switchboard.api.flow.Message;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.telemetry.TrafficMeter;
import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/** One client's datagrams on a frontend, as the transport gives them to the protocol. */
@ProviderType
public interface DatagramFlow {
    TrackedFlow flow();

    /** The cluster behind the destination the client's first datagram reached. */
    String cluster();

    InetSocketAddress client();

    /** The event loop that owns the frontend's socket, this flow and every socket it opens. */
    EventLoop loop();

    /** The platform's back-end connections. */
    BackendPool backends();

    /** Hands a message of the flow to the intelligent switch. */
    void route(Message message);

    /** Sends a datagram to the client from the frontend's socket; sent at the end of the current batch (or {@link #flush}). */
    void reply(ByteBuf data);

    /** Sends what {@link #reply} queued now (for a reply made outside a read batch). */
    void flush();

    /** Flushes the channel once the frontend socket's current read batch ends (one syscall per batch). */
    void flushAtEndOfBatch(Channel channel);

    /** Whether the frontend socket is in the middle of a read batch (else a write must be flushed by its writer). */
    boolean inReadBatch();

    /** A datagram of the flow was dropped: releases it and counts it. */
    void drop(ByteBuf data);

    /** The traffic counters of the flow's frontend on {@link #loop()}; use it on that loop only. */
    TrafficMeter meter();
}
