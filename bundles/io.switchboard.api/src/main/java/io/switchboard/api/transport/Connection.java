package io.switchboard.api.transport;

import io.netty.channel.socket.SocketChannel;
import io.switchboard.api.flow.Message;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.telemetry.TrafficMeter;
import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/** One connection a frontend accepted, as the transport gives it to the protocol. */
@ProviderType
public interface Connection {
    SocketChannel channel();

    /**
     * The client's address: the one a trusted proxy's PROXY protocol header carried when the
     * frontend accepts it, else the channel's remote address. Routing, forwarding headers, logs and
     * hashing use this, never the channel's remote address.
     */
    InetSocketAddress clientAddress();

    /** The connection's flow: its reassignment tracking and counters. */
    TrackedFlow flow();

    /** The cluster behind the destination the client reached (the frontend's, or its virtual service's). */
    String cluster();

    /** The platform's back-end connections: always the current transport's, so ask each time. */
    BackendPool backends();

    /** Hands a message of the connection to the intelligent switch. */
    void route(Message message);

    /** Counts a request on the frontend (an HTTP request, a relayed stream). */
    void requestStarted();

    /**
     * The traffic counters of the connection's frontend on the connection's event loop (the same
     * object for every connection of that frontend on that loop); use it on that loop only.
     */
    TrafficMeter meter();
}
