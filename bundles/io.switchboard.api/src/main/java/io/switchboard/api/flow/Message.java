package io.switchboard.api.flow;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One message of a flow: an HTTP request, a chunk of a TCP stream, or a datagram. Its handler
 * either forwards it to a cluster (the platform's forwarding path) or answers it itself.
 * <p>
 * Protocols implement it, and a protocol may be a plugin: a method added here would break every
 * one of them, so a consumer type (imports span the major version).
 */
@ConsumerType
public interface Message {
    /**
     * An application-layer attribute: for HTTP {@code method}, {@code path}, {@code host},
     * {@code header:<name>}; null when there is none.
     */
    String attribute(String name);

    /**
     * What the message carries, read-only: the bytes of a TCP chunk or datagram; for HTTP the
     * request head's first line. Never the whole of a streamed body.
     */
    ByteBuffer payload();

    /** Serves the message from a cluster: proxied (HTTP), relayed (TCP) or sent on (UDP). */
    void forward(String cluster);

    /**
     * Answers the message here. HTTP: a response with this status, type and body. TCP and UDP: the
     * body goes back to the client; status and content type are ignored.
     */
    void reply(int status, String contentType, ByteBuffer body);

    /**
     * Gives up on the message: HTTP answers 502 with the reason and closes the connection; TCP closes
     * the connection; UDP drops the datagram.
     */
    void fail(String reason);
}
