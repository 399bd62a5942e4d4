package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.policy.EndpointLoad;
import io.switchboard.api.policy.LoadAwarePolicy;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.EndpointStatus;
import io.switchboard.control.impl.health.EndpointState;
import io.switchboard.control.impl.route.Match;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One immutable version of a cluster. What the endpoints' health, drain and agents said is fixed
 * when it is published: the policy balances over the endpoints eligible then, at their effective
 * weights (a change publishes a new snapshot). Each switching thread gets its own balancer from the
 * policy, made on first use, so balancers keep plain (unsynchronized) state. Endpoints that passive
 * health took out are skipped per request (unless all are out: then all are tried). With a premium
 * subset, requests that match its conditions go to the least-loaded reserved endpoint, all others
 * are balanced over the endpoints outside the subset. A policy that fails a request (throws, chooses
 * nothing while endpoints are eligible, chooses one it was not given) is overruled: round-robin over
 * the healthy endpoints serves it, and the failure is counted.
 */
final class Snapshot implements ClusterSnapshot {
    private final ClusterSpec spec;
    /** The policy balancing now: the configured one, its last known good version, or none. */
    private final BalancingPolicy policy;
    /** Whether {@link #policy} is the configured policy as registered now. */
    private final boolean ready;
    private final Map<String, EndpointCounters> counters;
    private final PolicyHealth health;
    private final Map<String, EndpointState> states;
    /**
     * What the policy balances over, as the policy sees it: the endpoints outside the premium subset
     * that are neither drained nor down by check or agent (all of them, if all are down), each with
     * its effective weight. Fixed when the snapshot is published: a change of health, drain or agent
     * capacity publishes a new snapshot.
     */
    private final List<Endpoint> balanced;
    /** The configured endpoint of each balanced one (they differ when the agent scaled the weight): what requests use. */
    private final Map<Endpoint, Endpoint> configured;
    private final Endpoint[] premium;
    /** Endpoint ids drained (by the operator or their agent) and down (by active check or agent) when published. */
    private final Set<String> drained;
    /** The configured endpoints by id: what a dispatch table entry names. */
    private final Map<String, Endpoint> byId;
    private final Set<String> healthDown;
    /** Endpoint ids the operator had drained, and their check verdicts, when published: what {@link #status} reports. */
    private final Set<String> operatorDrained;
    private final Map<String, EndpointStatus.Check> checks;
    /**
     * Passive-health state the control side decided, by endpoint id, for endpoints that have any:
     * {failures cleared up to (nanoTime), backoff factor, ejected for error rate until (nanoTime)}.
     */
    private final Map<String, long[]> passive;
    private final Map<String, Integer> weights;
    /** Every endpoint's agent reported 0 % capacity: the configured weights apply instead, so the cluster is not blackholed. */
    private final boolean floored;
    private final boolean ramping;
    private final ThreadLocal<Balancer> balancers;
    /** The balancer {@link #prepare} made, until a loop takes it. */
    private final AtomicReference<Balancer> first = new AtomicReference<>();
    /** Each thread's turn in the round-robin that overrules a failing policy. */
    private final ThreadLocal<int[]> fallbackTurn = ThreadLocal.withInitial(() -> new int[1]);

    Snapshot(ClusterSpec spec, BalancingPolicy policy, boolean ready, Map<String, EndpointCounters> counters, PolicyHealth health) {
        this(spec, policy, ready, counters, health, Map.of());
    }

    Snapshot(ClusterSpec spec, BalancingPolicy policy, boolean ready, Map<String, EndpointCounters> counters, PolicyHealth health,
             Map<String, EndpointState> states) {
        this.spec = spec;
        this.policy = policy;
        this.ready = ready;
        this.counters = counters;
        this.health = health;
        this.states = states;
        long now = System.currentTimeMillis();
        long stale = spec.health().agentStaleMillis();
        Set<String> out = new HashSet<>();
        Set<String> down = new HashSet<>();
        Set<String> byOperator = new HashSet<>();
        Map<String, EndpointStatus.Check> verdicts = new HashMap<>();
        Map<String, long[]> passiveState = new HashMap<>();
        boolean agents = false;
        boolean ramping = false;
        for (Endpoint e : spec.endpoints()) {
            EndpointState st = states.get(e.id());
            if (st != null) {
                if (st.drainedByOperator()) {
                    byOperator.add(e.id());
                }
                verdicts.put(e.id(), st.check());
                if (st.passiveClearedNanos() != 0 || st.ejectionBackoff() != 1 || st.rateEjectedUntilNanos() != 0) {
                    passiveState.put(e.id(), new long[] {st.passiveClearedNanos(), st.ejectionBackoff(), st.rateEjectedUntilNanos()});
                }
                if (st.drained(now, stale)) {
                    out.add(e.id());
                }
                if (st.healthDown(now, stale)) {
                    down.add(e.id());
                }
            }
        }
        this.drained = Set.copyOf(out);
        Map<String, Endpoint> ids = new HashMap<>();
        for (Endpoint e : spec.endpoints()) {
            ids.put(e.id(), e);
        }
        this.byId = Map.copyOf(ids);
        this.operatorDrained = Set.copyOf(byOperator);
        this.checks = Map.copyOf(verdicts);
        this.passive = Map.copyOf(passiveState);
        this.healthDown = Set.copyOf(down);
        Map<String, Integer> w = new HashMap<>();
        Map<String, Integer> pcts = new HashMap<>();
        boolean distribution = !spec.health().distribution().isEmpty();
        for (Endpoint e : spec.endpoints()) {
            EndpointState st = states.get(e.id());
            if (st == null) {
                continue;
            }
            // The capacity in percent: the distribution's factor, else what the agent stated; then slow start.
            int pct = distribution && st.distributed() >= 0 ? st.distributed() : st.agentPercent(now, stale);
            int ramp = st.rampPercent(now, spec.health().slowStartMillis());
            if (ramp < 100) {
                pct = (pct >= 0 ? pct : 100) * ramp / 100;
                ramping = true;
            }
            if (pct >= 0) {
                pcts.put(e.id(), pct);
                agents = true;
            }
        }
        long sum = 0;
        long configuredSum = 0;
        for (Endpoint e : spec.endpoints()) {
            Integer pct = pcts.get(e.id());
            // With capacities, weights are scaled by them in percent: 75 % of weight 1 is 75 of 100.
            int x = drained.contains(e.id()) ? 0 : !agents ? e.weight() : e.weight() * (pct != null ? pct : 100);
            w.put(e.id(), x);
            if (!spec.premium().contains(e.id()) && !drained.contains(e.id())) {
                sum += x;
                configuredSum += e.weight();
            }
        }
        this.floored = agents && sum == 0 && configuredSum > 0;
        if (floored) {
            for (Endpoint e : spec.endpoints()) {
                if (!drained.contains(e.id())) {
                    w.put(e.id(), e.weight());
                }
            }
        }
        this.weights = Map.copyOf(w);
        this.ramping = ramping;
        List<Endpoint> live = new ArrayList<>();
        List<Endpoint> anyHealth = new ArrayList<>();
        List<Endpoint> reserved = new ArrayList<>();
        for (Endpoint e : spec.endpoints()) {
            if (spec.premium().contains(e.id())) {
                reserved.add(e);
            } else if (!drained.contains(e.id())) {
                anyHealth.add(e);
                if (!healthDown.contains(e.id())) {
                    live.add(e);
                }
            }
        }
        // When every endpoint is down, they are all tried rather than none: a check can be wrong.
        List<Endpoint> chosen = live.isEmpty() ? anyHealth : live;
        List<Endpoint> view = new ArrayList<>();
        Map<Endpoint, Endpoint> back = new HashMap<>();
        for (Endpoint e : chosen) {
            int x = weights.get(e.id());
            Endpoint v = e.withWeight(x); // a local endpoint stays local
            view.add(v);
            back.put(v, e);
        }
        this.balanced = List.copyOf(view);
        this.configured = back;
        this.premium = reserved.toArray(new Endpoint[0]);
        this.balancers = policy == null || balanced.isEmpty() ? null : ThreadLocal.withInitial(() -> {
            Balancer b = first.getAndSet(null);
            return b != null ? b : newBalancer(balanced);
        });
    }

    /**
     * Makes the first balancer now, on the publishing thread, before the snapshot is published:
     * whatever the policy computes once per snapshot (a Maglev table, a weighted sequence) is built
     * here, not on an event loop. The first loop to route takes it; each other loop gets one of its
     * own, cheaply. A policy that fails here is left to fail per request, where it is handled.
     */
    Snapshot prepare() {
        if (balancers != null) {
            try {
                first.set(newBalancer(balanced));
            } catch (RuntimeException | LinkageError e) {
                // handled per request
            }
        }
        return this;
    }

    /** What decides routing besides the spec and policy: a new snapshot is published only when this changes. */
    String view() {
        StringBuilder p = new StringBuilder();
        new java.util.TreeMap<>(passive).forEach((id, x) -> p.append(' ').append(id).append('=').append(java.util.Arrays.toString(x)));
        return balanced + " drained=" + new java.util.TreeSet<>(drained) + " down=" + new java.util.TreeSet<>(healthDown) + " passive" + p;
    }

    boolean floored() {
        return floored;
    }

    /** Whether an endpoint is ramping up by slow start: the snapshot is published again as it ramps. */
    boolean ramping() {
        return ramping;
    }

    /** Whether the endpoint could take new work when published: not drained, not down by check or agent. */
    boolean routable(String endpointId) {
        return !drained.contains(endpointId) && !healthDown.contains(endpointId);
    }

    boolean has(String endpointId) {
        return weights.containsKey(endpointId);
    }

    private Balancer newBalancer(List<Endpoint> endpoints) {
        if (policy instanceof LoadAwarePolicy) {
            return ((LoadAwarePolicy) policy).newBalancer(endpoints, new Load(counters));
        }
        return policy.newBalancer(endpoints);
    }

    /** Requests in flight per endpoint, for load-aware policies. A class, not a lambda: bnd then sees a provider. */
    private static final class Load implements EndpointLoad {
        private final Map<String, EndpointCounters> counters;

        Load(Map<String, EndpointCounters> counters) {
            this.counters = counters;
        }

        @Override
        public long active(Endpoint e) {
            EndpointCounters c = counters.get(e.id());
            return c == null ? 0 : c.active();
        }
    }

    @Override public String name() { return spec.name(); }
    @Override public String policy() { return spec.policy(); }
    @Override public boolean ready() { return ready; }
    @Override public List<Endpoint> endpoints() { return spec.endpoints(); }
    @Override public int connectTimeoutMillis() { return spec.options().connectTimeoutMillis; }
    @Override public int firstByteTimeoutMillis() { return spec.options().firstByteTimeoutMillis; }
    @Override public int retries() { return spec.options().retries; }
    @Override public Set<String> premium() { return spec.premium(); }
    @Override public int maxConnections() { return spec.options().maxConnections; }
    @Override public int idleTimeoutMillis() { return spec.options().idleTimeoutMillis; }
    @Override public int sendProxyProtocol() { return spec.options().sendProxyProtocol; }
    @Override public io.switchboard.api.runtime.BackendTls tls() { return spec.options().tls; }
    @Override public long policyFallbacks() { return health.fallbacks.sum(); }
    @Override public String policyProblem() { return health.problem.get(); }

    ClusterSpec spec() { return spec; }

    /** The policy this snapshot balances with (null: round-robin only). */
    BalancingPolicy balancingPolicy() { return policy; }

    Map<String, EndpointCounters> allCounters() { return counters; }

    /**
     * Passive health: {@code maxFails} failures in a row eject the endpoint for
     * {@code failTimeoutSeconds} after the latest, at once; then it is tried again. Failing again
     * after that ejects it for twice as long (backoff, up to 8 times, decided by the outlier watch);
     * a success, or its active check coming back up, brings it back. With {@code ejectErrorPercent},
     * the watch also ejects an endpoint whose requests of the last second failed at that rate. Never more than
     * {@code maxEjectionPercent} of the cluster's endpoints are ejected at once (at least one may be):
     * beyond that, those with the most failures in a row stay out and the others are used. The
     * active check and the agent take endpoints out when the snapshot is published.
     */
    @Override
    public boolean down(Endpoint endpoint) {
        return healthDown.contains(endpoint.id()) || ejected(endpoint.id());
    }

    private boolean ejected(String id) {
        if (!failing(id)) {
            return false;
        }
        // Rare path: the endpoint is failing; is the cluster's ejection budget spent?
        int allowed = Math.max(1, spec.endpoints().size() * spec.health().maxEjectionPercent() / 100);
        int failing = 0;
        for (Endpoint e : spec.endpoints()) {
            failing += failing(e.id()) ? 1 : 0;
        }
        if (failing <= allowed) {
            return true;
        }
        int mine = counters.get(id).failuresInARow();
        int ahead = 0;
        for (Endpoint e : spec.endpoints()) {
            if (!e.id().equals(id) && failing(e.id())) {
                int theirs = counters.get(e.id()).failuresInARow();
                if (theirs > mine || theirs == mine && e.id().compareTo(id) < 0) {
                    ahead++;
                }
            }
        }
        return ahead < allowed;
    }

    /** Whether the endpoint's failures in a row, or its error rate, put it out now, budget aside. */
    private boolean failing(String id) {
        if (passive.isEmpty()) {
            return failingInARow(id, 0, 1);
        }
        long[] p = passive.get(id);
        if (p == null) {
            return failingInARow(id, 0, 1);
        }
        return p[2] != 0 && System.nanoTime() < p[2] || failingInARow(id, p[0], (int) p[1]);
    }

    private boolean failingInARow(String id, long clearedNanos, int backoff) {
        EndpointCounters c = counters.get(id);
        int maxFails = spec.options().maxFails;
        if (c == null || maxFails <= 0 || c.failuresInARow() < maxFails) {
            return false;
        }
        long last = c.lastFailureNanos();
        return last > clearedNanos && System.nanoTime() - last < spec.options().failTimeoutSeconds * 1_000_000_000L * backoff;
    }

    @Override
    public Endpoint choose(RequestContext request, Set<String> excluded) {
        String dispatch = spec.dispatch();
        if (!dispatch.isEmpty()) {
            io.switchboard.api.dispatch.DispatchTable t = DispatchLink.table;
            String client = t == null ? null : DispatchLink.clientKey(dispatch, request);
            if (client != null) {
                return DispatchLink.choose(t, spec.name(), client, byId, usable(excluded),
                        e -> !excluded.contains(e.id()) && !healthDown.contains(e.id()) && !down(e), () -> chooseBalanced(request, excluded));
            }
        }
        return chooseBalanced(request, excluded);
    }

    private java.util.function.Predicate<Endpoint> usable(Set<String> excluded) {
        return e -> !excluded.contains(e.id()) && !drained.contains(e.id()) && !healthDown.contains(e.id()) && !down(e);
    }

    /** A sticky cluster's new client locked by another dispatcher: the request waits for its decision. */
    @Override
    public java.util.concurrent.CompletionStage<?> pending(RequestContext request) {
        String dispatch = spec.dispatch();
        io.switchboard.api.dispatch.DispatchTable t = DispatchLink.table;
        if (dispatch.isEmpty() || t == null) {
            return null; // maglev and the other hashing policies agree without a message
        }
        String client = DispatchLink.clientKey(dispatch, request);
        return client == null ? null : t.awaitDecision(spec.name(), client);
    }

    @Override
    public Runnable connectionOpened(RequestContext request) {
        String dispatch = spec.dispatch();
        io.switchboard.api.dispatch.DispatchTable t = DispatchLink.table;
        if (dispatch.isEmpty() || t == null) {
            return null;
        }
        String client = DispatchLink.clientKey(dispatch, request);
        if (client == null) {
            return null;
        }
        String name = spec.name();
        t.opened(name, client);
        return () -> { // the table in force at the close: the dispatcher cluster's bundle may have been updated meanwhile
            io.switchboard.api.dispatch.DispatchTable now = DispatchLink.table;
            if (now != null) {
                now.closed(name, client);
            }
        };
    }

    /**
     * The endpoint this dispatcher chooses for a peer's locked new client whose key it owns: the
     * same first choice a request of the client would get here. Null when none may serve.
     */
    String decideFor(String client) {
        Endpoint e = DispatchLink.firstChoice(client, byId, usable(Set.of()));
        return e == null ? null : e.id();
    }

    private Endpoint chooseBalanced(RequestContext request, Set<String> excluded) {
        if (premium.length > 0 && isPremium(request)) {
            Endpoint e = leastLoadedPremium(excluded);
            if (e != null || spec.premiumFallback() == ClusterSpec.PremiumFallback.REFUSE) {
                return e;
            }
            // spill: the reserved endpoints are all down, serve from the rest
        }
        if (balanced.isEmpty()) {
            return null;
        }
        Endpoint e = pick(request, excluded);
        if (e == null || !down(e)) {
            return e;
        }
        // Skip endpoints that passive health took out; when all are out, try them anyway.
        Set<String> more = new HashSet<>(excluded);
        for (int i = 0; i < balanced.size() && e != null && down(e); i++) {
            more.add(e.id());
            e = pick(request, more);
        }
        return e != null ? e : pick(request, excluded);
    }

    private Endpoint pick(RequestContext request, Set<String> excluded) {
        if (balancers == null) {
            return roundRobin(excluded);
        }
        Endpoint e;
        try {
            e = balancers.get().choose(request, excluded);
        } catch (RuntimeException | LinkageError t) {
            health.failed(spec.name(), spec.policy(), "threw " + t);
            return roundRobin(excluded);
        }
        if (e == null) {
            if (eligible(excluded)) {
                health.failed(spec.name(), spec.policy(), "chose no endpoint while some were eligible");
                return roundRobin(excluded);
            }
            return null;
        }
        // A policy may only pick endpoints it was given; requests go to the configured endpoint.
        Endpoint c = configured.get(e);
        if (c == null || excluded.contains(e.id())) {
            health.failed(spec.name(), spec.policy(), "chose " + e.id() + ", which it may not");
            return roundRobin(excluded);
        }
        return c;
    }

    private boolean eligible(Set<String> excluded) {
        for (Endpoint e : balanced) {
            if (e.weight() > 0 && !excluded.contains(e.id())) {
                return true;
            }
        }
        return false;
    }

    /** The next endpoint in this thread's turn that is not excluded (healthy ones first), or null. */
    private Endpoint roundRobin(Set<String> excluded) {
        int[] turn = fallbackTurn.get();
        Endpoint any = null;
        for (int i = 0; i < balanced.size(); i++) {
            Endpoint v = balanced.get(Math.floorMod(turn[0]++, balanced.size()));
            if (v.weight() == 0 || excluded.contains(v.id())) {
                continue;
            }
            Endpoint e = configured.get(v);
            if (!down(e)) {
                return e;
            }
            if (any == null) {
                any = e;
            }
        }
        return any;
    }

    private boolean isPremium(RequestContext request) {
        for (Match m : spec.premiumMatch()) {
            if (!m.test(request)) {
                return false;
            }
        }
        return true;
    }

    /** The reserved endpoint with the fewest requests in flight (ties: the first), skipping down and excluded ones. */
    private Endpoint leastLoadedPremium(Set<String> excluded) {
        Endpoint best = null;
        long bestLoad = Long.MAX_VALUE;
        for (Endpoint e : premium) {
            if (e.weight() == 0 || excluded.contains(e.id()) || drained.contains(e.id()) || down(e)) {
                continue;
            }
            long load = counters.get(e.id()).active();
            if (load < bestLoad) {
                best = e;
                bestLoad = load;
            }
        }
        return best;
    }

    @Override
    public boolean refusesWithoutPremium(RequestContext request) {
        return premium.length > 0 && spec.premiumFallback() == ClusterSpec.PremiumFallback.REFUSE && isPremium(request);
    }

    @Override
    public EndpointStatus status(Endpoint endpoint) {
        EndpointState st = states.get(endpoint.id());
        if (st == null) {
            return null;
        }
        Integer w = weights.get(endpoint.id());
        boolean eligible = !drained.contains(endpoint.id()) && !down(endpoint) && w != null && w > 0;
        return st.status(operatorDrained.contains(endpoint.id()), checks.getOrDefault(endpoint.id(), EndpointStatus.Check.NONE),
                w == null ? 0 : w, eligible, System.currentTimeMillis(), spec.health().agentStaleMillis());
    }

    @Override
    public EndpointCounters counters(Endpoint endpoint) {
        return counters.get(endpoint.id());
    }
}
