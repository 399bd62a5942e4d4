package io.switchboard.metrics.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.telemetry.PoolCount;
import io.switchboard.api.telemetry.Telemetry;
import io.switchboard.api.telemetry.TrafficCell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stand-ins for the services a scrape reads. */
final class Fakes {
    private Fakes() {
    }

    static final class FakeTelemetry implements Telemetry {
        final List<TrafficCell> cells = new CopyOnWriteArrayList<>();
        final List<PoolCount> pools = new ArrayList<>();

        @Override public List<TrafficCell> cells() { return new ArrayList<>(cells); }
        @Override public List<PoolCount> pools(long timeoutMillis) { return pools; }
    }

    static final class FakeCounters implements EndpointCounters {
        long active;
        long ejections;
        @Override public void started() { }
        @Override public void finished(boolean ok) { }
        @Override public long requests() { return 0; }
        @Override public long failures() { return 0; }
        @Override public long active() { return active; }
        @Override public int failuresInARow() { return 0; }
        @Override public long lastFailureNanos() { return 0; }
        @Override public long ejections() { return ejections; }
    }

    static final class FakeCluster implements ClusterSnapshot {
        final String name;
        final List<Endpoint> endpoints;
        final Map<Endpoint, FakeCounters> counters;
        final Set<Endpoint> down;

        FakeCluster(String name, List<Endpoint> endpoints, Map<Endpoint, FakeCounters> counters, Set<Endpoint> down) {
            this.name = name;
            this.endpoints = endpoints;
            this.counters = counters;
            this.down = down;
        }

        @Override public String name() { return name; }
        @Override public String policy() { return "round-robin"; }
        @Override public boolean ready() { return true; }
        @Override public List<Endpoint> endpoints() { return endpoints; }
        @Override public Endpoint choose(RequestContext request, Set<String> excluded) { return null; }
        @Override public EndpointCounters counters(Endpoint endpoint) { return counters.get(endpoint); }
        @Override public boolean down(Endpoint endpoint) { return down.contains(endpoint); }
        @Override public long policyFallbacks() { return 0; }
        @Override public String policyProblem() { return null; }
        @Override public int connectTimeoutMillis() { return 1000; }
        @Override public int firstByteTimeoutMillis() { return 1000; }
        @Override public int retries() { return 2; }
        @Override public Set<String> premium() { return Set.of(); }
    }

    static ClusterDirectory directory(ClusterSnapshot... clusters) {
        return new ClusterDirectory() {
            @Override public ClusterSnapshot cluster(String name) { return null; }
            @Override public List<ClusterSnapshot> clusters() { return List.of(clusters); }
            @Override public List<String> policies() { return List.of(); }
            @Override public boolean setPolicy(String cluster, String policy) { return false; }
        };
    }
}
