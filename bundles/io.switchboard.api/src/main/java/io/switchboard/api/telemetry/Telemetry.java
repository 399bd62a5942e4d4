package io.switchboard.api.telemetry;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What the transport counted: read by the metrics bundle at scrape time. */
@ProviderType
public interface Telemetry {
    /**
     * Every traffic cell of every event loop, including loops since retired and cells made by earlier
     * versions of the transport; cells with the same labels (one per loop) are to be summed.
     */
    List<TrafficCell> cells();

    /**
     * The back-end pools' connections per endpoint, summed over the loops. Each loop counts its own
     * (a short task on it): a loop that does not answer within the time is left out.
     */
    List<PoolCount> pools(long timeoutMillis);
}
