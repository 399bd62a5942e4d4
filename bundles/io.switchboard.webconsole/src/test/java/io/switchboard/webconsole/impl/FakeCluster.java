package io.switchboard.webconsole.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.EndpointStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A cluster snapshot with fixed endpoints, counters and statuses. */
record FakeCluster(String name, List<Endpoint> endpoints, Map<Endpoint, EndpointStatus> statuses, Set<String> premium)
        implements ClusterSnapshot {

    @Override public String policy() { return "round-robin"; }
    @Override public boolean ready() { return true; }
    @Override public Endpoint choose(RequestContext request, Set<String> excluded) { return null; }
    @Override public EndpointCounters counters(Endpoint endpoint) { return new Counters(endpoint.port() % 7, 100 + endpoint.port() % 7); }
    @Override public boolean down(Endpoint endpoint) { return false; }
    @Override public long policyFallbacks() { return 0; }
    @Override public String policyProblem() { return null; }
    @Override public int connectTimeoutMillis() { return 5000; }
    @Override public int firstByteTimeoutMillis() { return 30000; }
    @Override public int retries() { return 2; }
    @Override public EndpointStatus status(Endpoint endpoint) { return statuses.get(endpoint); }

    record Counters(long active, long requests) implements EndpointCounters {
        @Override public void started() { }
        @Override public void finished(boolean ok) { }
        @Override public long failures() { return 3; }
        @Override public int failuresInARow() { return 0; }
        @Override public long lastFailureNanos() { return 0; }
    }
}
