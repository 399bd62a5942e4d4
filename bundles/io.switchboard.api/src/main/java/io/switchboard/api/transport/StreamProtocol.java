package io.switchboard.api.transport;

import io.switchboard.api.runtime.FrontendSpec;
import org.osgi.annotation.versioning.ConsumerType;

/** A protocol spoken on TCP connections. */
@ConsumerType
public interface StreamProtocol extends FrontendProtocol {
    /**
     * Readies the protocol for one frontend: checks and parses its options once, so that each
     * connection only applies them. Called again whenever the frontend's settings change.
     *
     * @param frontend the frontend, its options merged with the shared defaults
     * @throws IllegalArgumentException for a bad option, with a message {@code key 'NAME': reason}
     */
    StreamBinding bind(FrontendSpec frontend);
}
