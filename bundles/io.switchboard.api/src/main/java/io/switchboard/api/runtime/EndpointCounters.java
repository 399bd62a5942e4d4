package io.switchboard.api.runtime;

import org.osgi.annotation.versioning.ProviderType;

/** Live counters of one endpoint. They outlive snapshots: a reconfiguration keeps them. */
@ProviderType
public interface EndpointCounters {
    /** A request (or TCP connection) was sent to the endpoint. */
    void started();

    /** A request ended; {@code ok} is false when the endpoint failed it. */
    void finished(boolean ok);

    long requests();

    long failures();

    long active();

    /** Whether passive health took the endpoint out (failures in a row); it is tried again later. */
    boolean down();
}
