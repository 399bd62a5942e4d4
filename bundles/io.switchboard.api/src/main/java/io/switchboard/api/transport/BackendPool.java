package io.switchboard.api.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.switchboard.api.Endpoint;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Back-end connections, per event loop and endpoint: a client's back-end connection is opened on
 * the client's own loop, and idle ones are kept in that loop's own lists, so using them takes no
 * lock and no thread hop. Every method except {@link #connect} must be called on the event loop
 * that owns the connections. Idle connections are kept per partition (a protocol's name): a
 * protocol only gets back the kind of connection it released. The pool outlives updates of the
 * protocol bundles (a new version may find idle connections an older one released, with the older
 * handlers in their pipelines) and of the transport.
 */
@ProviderType
public interface BackendPool {
    /** An idle, open connection to the endpoint in the partition on the calling loop, or null. */
    Channel pollIdle(String partition, Endpoint endpoint);

    /** Keeps a connection whose last exchange ended cleanly for the next request to the endpoint. */
    void release(String partition, Endpoint endpoint, Channel channel);

    /** Connections to the endpoint the calling loop has open now, idle or busy. */
    int openConnections(Endpoint endpoint);

    /**
     * Opens a TCP connection to the endpoint on the loop; the handler initializes its pipeline (and
     * may set channel options such as {@code AUTO_READ}).
     */
    ChannelFuture connect(EventLoop loop, Endpoint endpoint, ChannelHandler handler, int connectTimeoutMillis);

    /** Opens a connected UDP socket to the endpoint on the loop, with the handler in its pipeline. */
    ChannelFuture connectDatagram(EventLoop loop, Endpoint endpoint, ChannelHandler handler);
}
