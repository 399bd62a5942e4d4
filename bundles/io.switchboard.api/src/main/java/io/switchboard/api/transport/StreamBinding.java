package io.switchboard.api.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** A stream protocol readied for one frontend, with that frontend's settings. */
@ConsumerType
public interface StreamBinding {
    /**
     * Sets up a connection the frontend accepted: adds the protocol's handlers to its pipeline (and
     * sets any channel option it needs, such as {@code AUTO_READ}). Called on the connection's event
     * loop before the connection becomes active; on a frontend behind proxies (PROXY protocol), once
     * the header is read, and {@code channelActive} then reaches the handlers added here. The
     * transport's {@code "proxy-protocol"} decoder, when there is one, stays first in the pipeline:
     * add handlers after it ({@code addLast}). It must not block.
     */
    void accept(Connection connection);
}
