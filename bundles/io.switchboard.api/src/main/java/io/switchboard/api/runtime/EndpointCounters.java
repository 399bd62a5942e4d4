package io.switchboard.api.runtime;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Live counters of one endpoint: raw figures only, so that they can outlive the snapshots, and the
 * versions of the control bundle, that read them. Whether they make the endpoint healthy is the
 * snapshot's decision ({@link ClusterSnapshot#down}).
 */
@ProviderType
public interface EndpointCounters {
    /** A request (or TCP connection) was sent to the endpoint. */
    void started();

    /** A request ended; {@code ok} is false when the endpoint failed it. */
    void finished(boolean ok);

    long requests();

    long failures();

    long active();

    /** Failures since the last success. */
    int failuresInARow();

    /** {@link System#nanoTime()} of the latest failure; 0 when there was none. */
    long lastFailureNanos();

    /** Tells the counters passive health's rule (set with each cluster snapshot), so that they can count ejections. */
    default void passiveHealth(int maxFails, int failTimeoutSeconds) {
    }

    /**
     * Times passive health took the endpoint out: its failures in a row reached {@code maxFails}, or
     * it failed again when let back in after {@code failTimeoutSeconds}.
     */
    default long ejections() {
        return 0;
    }
}
