package io.switchboard.control.impl.health;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.EndpointStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs the active checks and agent polls of every cluster's endpoints, each endpoint once, on a
 * few probe threads of the control side: the data path never waits for a probe. A result that
 * changes how an endpoint is balanced (a check verdict after rise/fall, the agent's capacity or
 * state, an agent answer going stale) calls {@code changed} with the cluster, which publishes a
 * new snapshot.
 */
public final class HealthProbes {
    private static final int THREADS = 2;

    private final ScheduledExecutorService probes;
    private final Consumer<String> changed;
    private final Consumer<String> info;
    private final Consumer<String> warn;
    private final Map<String, List<ScheduledFuture<?>>> tasks = new HashMap<>();

    public HealthProbes(Consumer<String> changed, Consumer<String> info, Consumer<String> warn) {
        this.changed = changed;
        this.info = info;
        this.warn = warn;
        AtomicInteger n = new AtomicInteger();
        this.probes = Executors.newScheduledThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "sb-health-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts (or restarts, after a change) the probes of one cluster; {@code round}, when not null,
     * runs once per agent interval, half an interval after the polls (the master module's turn).
     */
    public synchronized void watch(String cluster, List<Endpoint> endpoints, HealthSpec spec, Map<String, EndpointState> states, Runnable round) {
        unwatch(cluster);
        List<ScheduledFuture<?>> mine = new ArrayList<>();
        if (round != null && spec.hasAgents()) {
            mine.add(probes.scheduleWithFixedDelay(() -> {
                try {
                    round.run();
                } catch (RuntimeException ex) {
                    warn.accept("cluster " + cluster + ": load distribution round failed unexpectedly: " + ex);
                }
            }, spec.agentIntervalMillis / 2, spec.agentIntervalMillis, TimeUnit.MILLISECONDS));
        }
        for (Endpoint e : endpoints) {
            EndpointState state = states.get(e.id());
            if (e.isLocal()) {
                // An application inside the runtime has no host to check or ask: when it is not
                // registered its connections are refused, and passive health (maxFails) takes it out.
                state.stopChecks();
                continue;
            }
            if (spec.check() == HealthSpec.CheckType.NONE) {
                state.stopChecks();
            } else {
                state.startChecks();
                // A random first delay spreads the probes of many endpoints over the interval.
                mine.add(probes.scheduleWithFixedDelay(() -> check(cluster, e, spec, state),
                        ThreadLocalRandom.current().nextInt(Math.max(1, spec.intervalMillis / 4)), spec.intervalMillis, TimeUnit.MILLISECONDS));
            }
            int port = spec.agentPort(e.id());
            if (port > 0) {
                InetSocketAddress agent = new InetSocketAddress(e.address().getAddress(), port);
                mine.add(probes.scheduleWithFixedDelay(() -> poll(cluster, e, agent, spec, state),
                        0, spec.agentIntervalMillis, TimeUnit.MILLISECONDS));
            }
        }
        if (!mine.isEmpty()) {
            tasks.put(cluster, mine);
        }
    }

    public synchronized void unwatch(String cluster) {
        List<ScheduledFuture<?>> old = tasks.remove(cluster);
        if (old != null) {
            old.forEach(f -> f.cancel(false));
        }
    }

    public synchronized void stop() {
        tasks.clear();
        probes.shutdownNow();
    }

    private void check(String cluster, Endpoint e, HealthSpec spec, EndpointState state) {
        try {
            Probe.Result r = spec.check() == HealthSpec.CheckType.HTTP
                    ? Probe.http(e.address(), e.host() + ":" + e.port(), spec.httpPath, spec.expectStatus, spec.timeoutMillis)
                    : Probe.tcp(e.address(), spec.timeoutMillis);
            EndpointStatus.Check now = state.checked(r.ok, r.detail, spec.rise, spec.fall);
            if (now == EndpointStatus.Check.UP) {
                state.clearPassive(System.nanoTime()); // the checks proved it back: earlier failures no longer hold it out
            }
            if (now != null) {
                String msg = "cluster " + cluster + ": endpoint " + e.id() + " is " + now.name().toLowerCase()
                        + " (" + (now == EndpointStatus.Check.UP ? spec.rise + " checks passed" : spec.fall + " checks failed") + "; latest: " + r.detail + ")";
                if (now == EndpointStatus.Check.UP) {
                    info.accept(msg);
                } else {
                    warn.accept(msg);
                }
                changed.accept(cluster);
            }
        } catch (RuntimeException ex) {
            warn.accept("cluster " + cluster + ": health check of " + e.id() + " failed unexpectedly: " + ex);
        }
    }

    private void poll(String cluster, Endpoint e, InetSocketAddress agent, HealthSpec spec, EndpointState state) {
        try {
            try {
                AgentReport r = Probe.agent(agent, spec.agentTimeoutMillis, spec.agentJson);
                if (state.agentAnswered(r, System.currentTimeMillis(), spec.agentStaleMillis())) {
                    changed.accept(cluster);
                }
            } catch (IOException ex) {
                state.agentFailed(ex.getMessage());
                if (state.agentWentStale(System.currentTimeMillis(), spec.agentStaleMillis())) {
                    warn.accept("cluster " + cluster + ": the agent of " + e.id() + " at " + agent + " gave no good answer for "
                            + spec.agentStaleSeconds + " s (latest: " + ex.getMessage() + "); the endpoint is balanced with its configured weight");
                    changed.accept(cluster);
                }
            }
        } catch (RuntimeException ex) {
            warn.accept("cluster " + cluster + ": agent poll of " + e.id() + " failed unexpectedly: " + ex);
        }
    }
}
