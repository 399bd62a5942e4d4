package io.switchboard.api.transport;

import io.switchboard.api.runtime.FrontendSpec;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol spoken in datagrams. The transport owns the frontend's socket and its table of flows
 * (one per client address, closed when idle); the protocol serves each flow.
 */
@ConsumerType
public interface DatagramProtocol extends FrontendProtocol {
    /**
     * Readies the protocol for one frontend (see {@link StreamProtocol#bind}).
     *
     * @throws IllegalArgumentException for a bad option, with a message {@code key 'NAME': reason}
     */
    DatagramBinding bind(FrontendSpec frontend);
}
