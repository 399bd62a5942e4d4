package io.switchboard.api.switching;

import io.switchboard.api.flow.Flow;
import org.osgi.annotation.versioning.ProviderType;

/** A flow with the counters the transport keeps for it. */
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
}
