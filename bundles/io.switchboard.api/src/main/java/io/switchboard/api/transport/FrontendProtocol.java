package io.switchboard.api.transport;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol frontends can speak, registered as an OSGi service under this interface with the
 * property {@value #NAME} naming it ({@code http}, {@code tcp}, {@code udp}, or a plugin's own).
 * Implement {@link StreamProtocol} for TCP sockets or {@link DatagramProtocol} for UDP sockets.
 * <p>
 * When a new version of the protocol's bundle registers, connections accepted from then on run the
 * new code and those already open finish on the old: the transport drains them (see
 * {@link DrainEvent}).
 */
@ConsumerType
public interface FrontendProtocol {
    /** Service property: the protocol's name, as a frontend's {@code protocol} key gives it. */
    String NAME = "switchboard.protocol";

    /**
     * The frontend options this protocol reads, each with a one-line description. A frontend's
     * configuration may carry these keys besides the common ones (and the transport's shared
     * defaults in {@code io.switchboard.frontends.cfg} may set them for every frontend).
     */
    Map<String, String> options();
}
