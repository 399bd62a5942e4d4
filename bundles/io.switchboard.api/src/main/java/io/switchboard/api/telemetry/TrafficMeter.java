package io.switchboard.api.telemetry;

import io.switchboard.api.Endpoint;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The traffic cells of one frontend on one event loop. A protocol gets it from its connection and
 * uses it on that connection's loop only. Looking up a cell made before allocates nothing and
 * hashes no new string.
 */
@ProviderType
public interface TrafficMeter {
    /**
     * The cell of requests from this frontend to the endpoint of the cluster, on the calling loop;
     * made on first use. {@code endpoint} is null for requests that reached no endpoint.
     */
    TrafficCell cell(String cluster, Endpoint endpoint);
}
