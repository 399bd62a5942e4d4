package io.switchboard.api.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** A datagram protocol readied for one frontend. */
@ConsumerType
public interface DatagramBinding {
    /** Serves a new flow: the first datagram from a client address. Called on the flow's event loop. */
    DatagramFlowHandler open(DatagramFlow flow);
}
