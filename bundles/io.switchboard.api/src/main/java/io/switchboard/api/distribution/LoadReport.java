package io.switchboard.api.distribution;

import io.switchboard.api.Endpoint;
import java.util.Objects;

/**
 * What one endpoint's agent reported last, raw: the capacity it stated and, from agents that send
 * the JSON report, the host's and the service's figures. A figure the agent did not send is
 * {@link Double#NaN} or -1.
 */
public final class LoadReport {
    private final Endpoint endpoint;
    private final int capacityPercent;
    private final double cpuPercent;
    private final long clients;
    private final double requestsPerSecond;
    private final double averageExecutionMillis;
    private final long ageMillis;

    public LoadReport(Endpoint endpoint, int capacityPercent, double cpuPercent, long clients, double requestsPerSecond,
                      double averageExecutionMillis, long ageMillis) {
        this.endpoint = Objects.requireNonNull(endpoint);
        this.capacityPercent = capacityPercent;
        this.cpuPercent = cpuPercent;
        this.clients = clients;
        this.requestsPerSecond = requestsPerSecond;
        this.averageExecutionMillis = averageExecutionMillis;
        this.ageMillis = ageMillis;
    }

    public Endpoint endpoint() { return endpoint; }
    /** The capacity the agent stated, 0..100; -1 when it stated none. */
    public int capacityPercent() { return capacityPercent; }
    /** The host's CPU use, 0..100; NaN when unknown. */
    public double cpuPercent() { return cpuPercent; }
    /** Open client connections of the watched service; -1 when unknown. */
    public long clients() { return clients; }
    /** The service's requests per second; NaN when unknown. */
    public double requestsPerSecond() { return requestsPerSecond; }
    /** The service's average execution time in milliseconds; NaN when unknown. */
    public double averageExecutionMillis() { return averageExecutionMillis; }
    /** How long ago the report came. */
    public long ageMillis() { return ageMillis; }

    @Override
    public String toString() {
        return endpoint.id() + ": capacity " + capacityPercent + "%, cpu " + cpuPercent + "%, clients " + clients + ", "
                + requestsPerSecond + " req/s, " + averageExecutionMillis + " ms";
    }
}
