package io.switchboard.testkit.dataplane;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The control plane's part for data-plane tests: clusters balanced round-robin. */
public final class TestClusters implements ClusterDirectory {
    private final Map<String, ClusterSnapshot> clusters = new ConcurrentHashMap<>();

    public TestClusters put(String name, Endpoint... endpoints) {
        clusters.put(name, new RoundRobin(name, List.of(endpoints)));
        return this;
    }

    @Override public ClusterSnapshot cluster(String name) { return clusters.get(name); }
    @Override public List<ClusterSnapshot> clusters() { return new ArrayList<>(clusters.values()); }
    @Override public List<String> policies() { return List.of("round-robin"); }
    @Override public boolean setPolicy(String cluster, String policy) { return false; }

    /** Counters that count; no health. */
    public static final class Counters implements EndpointCounters {
        public final AtomicLong requests = new AtomicLong();
        public final AtomicLong failures = new AtomicLong();
        public final AtomicLong active = new AtomicLong();

        @Override public void started() { requests.incrementAndGet(); active.incrementAndGet(); }
        @Override public void finished(boolean ok) { active.decrementAndGet(); if (!ok) failures.incrementAndGet(); }
        @Override public long requests() { return requests.get(); }
        @Override public long failures() { return failures.get(); }
        @Override public long active() { return active.get(); }
        @Override public int failuresInARow() { return 0; }
        @Override public long lastFailureNanos() { return 0; }
    }

    /** A cluster balanced round-robin, with settable timeouts and limits. */
    public static final class RoundRobin implements ClusterSnapshot {
        private final String name;
        private final List<Endpoint> endpoints;
        private final AtomicInteger next = new AtomicInteger();
        private final Map<String, Counters> counters = new ConcurrentHashMap<>();
        public volatile int firstByteTimeoutMillis = 30_000;
        public volatile int idleTimeoutMillis = 60_000;
        public volatile int maxConnections;
        /** PROXY protocol version sent to endpoints (0: none). */
        public volatile int sendProxyProtocol;
        /**
         * What {@link #pending} answers: null (choose now), or a stage the test completes, as the
         * dispatcher cluster's lock does for a new client whose endpoint another dispatcher decides.
         */
        public volatile java.util.concurrent.CompletionStage<?> pending;
        /** Whether {@link #connectionOpened} counts (a sticky cluster with sessionEnd = close). */
        public volatile boolean countsConnections;
        /** Client connections counted open and not released yet, and all ever counted. */
        public final AtomicInteger openConnections = new AtomicInteger();
        public final AtomicInteger connectionsCounted = new AtomicInteger();

        RoundRobin(String name, List<Endpoint> endpoints) {
            this.name = name;
            this.endpoints = endpoints;
            endpoints.forEach(e -> counters.put(e.id(), new Counters()));
        }

        @Override public String name() { return name; }
        @Override public String policy() { return "round-robin"; }
        @Override public boolean ready() { return true; }
        @Override public List<Endpoint> endpoints() { return endpoints; }

        @Override
        public Endpoint choose(RequestContext request, Set<String> excluded) {
            for (int i = 0; i < endpoints.size(); i++) {
                Endpoint e = endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
                if (!excluded.contains(e.id())) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> pending(RequestContext request) {
            return pending;
        }

        @Override
        public Runnable connectionOpened(RequestContext request) {
            if (!countsConnections) {
                return null;
            }
            openConnections.incrementAndGet();
            connectionsCounted.incrementAndGet();
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            return () -> {
                if (!released.compareAndSet(false, true)) {
                    throw new IllegalStateException("a connection released twice");
                }
                openConnections.decrementAndGet();
            };
        }

        @Override public Counters counters(Endpoint endpoint) { return counters.get(endpoint.id()); }
        @Override public boolean down(Endpoint endpoint) { return false; }
        @Override public long policyFallbacks() { return 0; }
        @Override public String policyProblem() { return null; }
        @Override public int connectTimeoutMillis() { return 2000; }
        @Override public int firstByteTimeoutMillis() { return firstByteTimeoutMillis; }
        @Override public int retries() { return 2; }
        @Override public int idleTimeoutMillis() { return idleTimeoutMillis; }
        @Override public int sendProxyProtocol() { return sendProxyProtocol; }
        @Override public int maxConnections() { return maxConnections; }
        @Override public Set<String> premium() { return Set.of(); }
    }
}
