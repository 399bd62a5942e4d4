package io.switchboard.api.switching;

import io.switchboard.api.Endpoint;
import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.Reassignment;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A flow as the transport keeps it: with its byte counters and its reassignment tracking. The flow
 * lives with its connection (or its datagram flow) on the event loop that owns it, so the tracking
 * costs no lock, no ring publish and no wake-up, and it outlives any update of the switch.
 */
@ProviderType
public interface TrackedFlow extends Flow {
    /** Bytes received from the client (called by the flow's event loop only). */
    void countIn(long bytes);

    /** Bytes sent to the client (called by the flow's event loop only). */
    void countOut(long bytes);

    long bytesIn();

    long bytesOut();

    /** Milliseconds since the epoch when the flow was opened. */
    long openedMillis();

    /** The reassignment in force, or null while the default handler owns the flow. */
    Reassignment reassignment();

    /**
     * The switch's write: the reassignment now in force (null: back to the default handler). Called
     * by whoever holds the flow's current message: its event loop, or its handler's thread.
     */
    void track(Reassignment reassignment);

    /** Milliseconds since the epoch when the reassignment in force was made; 0 when none is. */
    long reassignedMillis();

    /** The switch counts each message it routes. */
    void countMessage();

    /** Whether the flow has ended (its connection closed, its datagram flow expired). */
    boolean closed();

    /**
     * The back-end endpoint the flow is connected to: for HTTP the endpoint of its current (or
     * latest) request, which may change from one keep-alive request to the next; for a relay its one
     * endpoint. Null until the protocol picked one.
     */
    Endpoint endpoint();

    /**
     * The protocol's write, from the flow's event loop, each time it picks the endpoint the flow's
     * bytes go to. A plain field write: no lock, no thread hop.
     */
    void endpoint(Endpoint endpoint);

    /**
     * The protocol the connection switched to after an HTTP {@code 101 Switching Protocols} (e.g.
     * {@code websocket}): from then on it is a byte tunnel to {@link #endpoint()}. Null while it has
     * not switched.
     */
    default String upgrade() {
        return null;
    }

    /** The protocol's write, from the flow's event loop, when its connection becomes a tunnel. */
    default void upgraded(String protocol) {
    }
}
