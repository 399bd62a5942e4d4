package io.switchboard.api.transport;

import io.netty.buffer.ByteBuf;
import org.osgi.annotation.versioning.ConsumerType;

/** The protocol's side of one datagram flow. Every call comes from the flow's event loop. */
@ConsumerType
public interface DatagramFlowHandler {
    /** A datagram from the client; the buffer is the handler's to release or pass on. */
    void datagram(ByteBuf data);

    /** The flow ended (idle, or its frontend closed): release what it holds. */
    void close();
}
