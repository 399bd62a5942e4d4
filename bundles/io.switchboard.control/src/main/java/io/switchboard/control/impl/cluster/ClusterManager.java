package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.api.distribution.LoadDistribution;
import io.switchboard.api.distribution.LoadReport;
import io.switchboard.control.impl.health.AgentReport;
import io.switchboard.control.impl.health.EndpointState;
import io.switchboard.support.log.Throttled;
import io.switchboard.control.impl.health.HealthProbes;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.ConfigTable;
import io.switchboard.control.impl.ConfigTablePublisher;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import io.switchboard.support.log.OptionalLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Owns the clusters: their specs, the balancing policies registered as services, and the current
 * snapshot of each cluster. Edits are serialized here (control plane); every change of the snapshots
 * (a cluster published, removed, or served provisionally) goes through {@link #publishTable}, which
 * hands all of them to the {@link ConfigTablePublisher}: the data plane reads only the table it
 * publishes (routes and clusters, one immutable version), never the maps here. A policy whose service goes away keeps balancing (the last one known good) until
 * its replacement registers or the grace period ends; then the clusters that use it balance with the
 * fallback policy, or round-robin. Counters, policy overrides and snapshots are handed to the next
 * version of this bundle, which serves the old snapshots until it has read the configuration again.
 *
 * <p>Longer than most classes here: it is the one place where cluster specs, policies, overrides and
 * counters meet, and splitting it would spread one lock over several classes.
 */
@Component(configurationPid = ClusterManager.PID, service = {ClusterDirectory.class, ClusterManager.class})
@Designate(ocd = ClusterManager.Config.class)
public class ClusterManager implements ClusterDirectory {
    static final String PID = "io.switchboard.clusters";
    static final String HANDOVER_KEY = "io.switchboard.control.clusters";
    static final List<String> KEYS = List.of("fallbackPolicy", "policyGraceSeconds");

    @ObjectClassDefinition(name = "Switchboard clusters (shared settings)")
    public @interface Config {
        @AttributeDefinition(description = "Policy a cluster balances with while its own is not installed (none installed either: round-robin).")
        String fallbackPolicy() default "round-robin";

        @AttributeDefinition(description = "Seconds a policy whose service went away keeps balancing, waiting for its replacement (an update).", min = "0")
        int policyGraceSeconds() default 10;
    }

    /** A policy service. */
    private static final class PolicyRef {
        final BalancingPolicy policy;
        final int ranking;
        final long id;
        final long bundleId;

        PolicyRef(BalancingPolicy policy, Map<String, Object> props) {
            this.policy = policy;
            Object r = props.get(Constants.SERVICE_RANKING);
            this.ranking = r instanceof Integer ? (Integer) r : 0;
            this.id = ((Number) props.get(Constants.SERVICE_ID)).longValue();
            Object b = props.get(Constants.SERVICE_BUNDLEID);
            this.bundleId = b instanceof Long ? (Long) b : -1;
        }
    }

    private final Map<String, ClusterSpec> specs = new HashMap<>();
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    /** Snapshots an earlier version of this bundle served, served until their configuration is read again. */
    private final Map<String, ClusterSnapshot> provisional = new ConcurrentHashMap<>();
    private Map<String, Map<String, EndpointCounters>> counters = new HashMap<>();
    private final Map<String, PolicyHealth> health = new HashMap<>();
    /** Drain, active-check and agent state of each cluster's endpoints, by cluster and endpoint id. */
    private Map<String, Map<String, EndpointState>> states = new HashMap<>();
    /** What the probes of each cluster were started for (endpoints and health spec): restarted only when it changes. */
    private final Map<String, String> watched = new HashMap<>();
    /** Clusters whose agents all report 0 % now (the floor applies): logged when it begins and ends. */
    private final Set<String> floored = new HashSet<>();
    private HealthProbes probes;
    /** Clusters with a slow-start publish pending. */
    private final Set<String> rampScheduled = new HashSet<>();
    /** Load-distribution algorithms by name. */
    private final Map<String, LoadDistribution> distributions = new ConcurrentHashMap<>();
    /** Failures of distribution algorithms, logged once per burst. */
    private final Throttled distributionProblems = new Throttled(10, TimeUnit.SECONDS);
    /** Policies by name; among several with one name the highest ranking wins. */
    private final Map<String, List<PolicyRef>> policies = new HashMap<>();
    /** Policies whose last service went away, still balancing until a replacement comes or the grace ends. */
    private final Map<String, PolicyRef> departed = new HashMap<>();
    /** sb:policy overrides, with the configuration each one overrode (it lasts until that changes). */
    private Map<String, String> overrides = new HashMap<>();
    private Map<String, String> overridden = new HashMap<>();
    private final Set<String> warnedMissing = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sb-clusters");
        t.setDaemon(true);
        return t;
    });
    private volatile String fallbackPolicy = "round-robin";
    private volatile long graceMillis = 10_000;
    private BundleContext context;
    /**
     * Where the snapshots are published, with the routing rules, as one table. A plain field: set
     * before activation (a static reference) and never unset, so that a directory kept as the last one
     * known good still answers with its last table.
     */
    private ConfigTablePublisher tables = new ConfigTablePublisher();

    @Reference
    void setTables(ConfigTablePublisher tables) {
        this.tables = tables;
    }

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    /** The dispatcher cluster's table (sticky clusters consult it); none while the dispatcher cluster is off. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY)
    void setDispatchTable(io.switchboard.api.dispatch.DispatchTable t) {
        // the owner of a locked client's key decides with this dispatcher's view of the endpoints
        t.decider((cluster, client) -> tables != null && cluster(cluster) instanceof Snapshot s ? s.decideFor(client) : null);
        DispatchLink.table = t;
    }

    void unsetDispatchTable(io.switchboard.api.dispatch.DispatchTable t) {
        // Kept: while the dispatcher cluster's bundle is updated, its last table (the same entries, which
        // the next version takes over) serves lookups; a table that was closed (the dispatcher cluster
        // turned off) answers none, so the clusters balance on their own.
    }

    private final OptionalLog out = new OptionalLog(() -> log);

    @Activate
    @SuppressWarnings("unchecked")
    void activate(BundleContext context, Map<String, Object> config) {
        this.context = context;
        startProbes();
        timer.scheduleWithFixedDelay(this::watchOutliers, 1, 1, TimeUnit.SECONDS);
        uninstalls = e -> {
            if (e.getType() == BundleEvent.UNINSTALLED) {
                bundleGone(e.getBundle().getBundleId());
            }
        };
        context.addBundleListener(uninstalls);
        modified(config);
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        if (left != null) {
            synchronized (this) {
                counters = (Map<String, Map<String, EndpointCounters>>) left.get("counters");
                overrides = (Map<String, String>) left.get("overrides");
                overridden = (Map<String, String>) left.get("overridden");
                ((Map<String, Object[]>) left.get("health")).forEach((name, h) ->
                        health.put(name, new PolicyHealth((LongAdder) h[0], (AtomicReference<String>) h[1], this::logWarn)));
                provisional.putAll((Map<String, ClusterSnapshot>) left.get("snapshots"));
                Object st = left.get("endpointStates");
                if (st instanceof Map) {
                    ((Map<String, Map<String, Map<String, Object>>>) st).forEach((cluster, byId) -> {
                        Map<String, EndpointState> m = new HashMap<>();
                        byId.forEach((id, values) -> m.put(id, EndpointState.fromValues(values)));
                        states.put(cluster, m);
                    });
                }
            }
        }
        synchronized (this) {
            publishTable(); // the snapshots taken over, in the table taken over by the publisher (the same ones)
        }
    }

    synchronized void startProbes() {
        if (probes == null && !stopping) {
            probes = new HealthProbes(this::healthChanged, this::logInfo, this::logWarn);
        }
    }

    @Modified
    void modified(Map<String, Object> config) {
        ConfigReader r = new ConfigReader(config, KEYS);
        try {
            r.rejectUnknownKeys();
            String fallback = r.string("fallbackPolicy", "round-robin");
            long grace = r.integer("policyGraceSeconds", 10, 0, 3600) * 1000L;
            graceMillis = grace;
            if (!fallback.equals(fallbackPolicy)) {
                fallbackPolicy = fallback;
                republish(name -> true);
            }
        } catch (ConfigProblem p) {
            logError(r.rejected(p, "the clusters keep their settings"));
        }
    }

    private BundleListener uninstalls;

    /** Set once deactivation begins: the policy unbinds that follow change nothing. */
    private volatile boolean stopping;

    @Deactivate
    synchronized void deactivate() {
        stopping = true;
        timer.shutdownNow();
        if (probes != null) {
            probes.stop();
        }
        if (context != null) {
            try {
                context.removeBundleListener(uninstalls);
            } catch (IllegalStateException e) {
                // the framework is going
            }
        }
        if (context == null || Handover.frameworkStopping(context)) {
            return;
        }
        Map<String, Object> state = new HashMap<>();
        state.put("counters", counters);
        state.put("overrides", overrides);
        state.put("overridden", overridden);
        Map<String, Object[]> h = new HashMap<>();
        health.forEach((name, x) -> h.put(name, new Object[] {x.fallbacks, x.problem}));
        state.put("health", h);
        Map<String, ClusterSnapshot> served = new HashMap<>(provisional);
        served.putAll(snapshots);
        state.put("snapshots", served);
        Map<String, Map<String, Map<String, Object>>> st = new HashMap<>();
        states.forEach((cluster, byId) -> {
            Map<String, Map<String, Object>> m = new HashMap<>();
            byId.forEach((id, x) -> m.put(id, x.values()));
            st.put(cluster, m);
        });
        state.put("endpointStates", st);
        Handover.leave(context, HANDOVER_KEY, state);
    }

    // ---- policies ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void addPolicy(BalancingPolicy policy, Map<String, Object> props) {
        String name = policyName(props);
        if (name == null) {
            logWarn("balancing policy service " + props.get(Constants.SERVICE_ID) + " has no "
                    + BalancingPolicy.NAME + " property; ignored");
            return;
        }
        List<PolicyRef> refs = policies.computeIfAbsent(name, n -> new ArrayList<>());
        refs.add(new PolicyRef(policy, props));
        refs.sort(Comparator.<PolicyRef>comparingInt(p -> -p.ranking).thenComparingLong(p -> p.id));
        departed.remove(name);
        republish(this::balancesDifferently);
    }

    synchronized void removePolicy(BalancingPolicy policy, Map<String, Object> props) {
        if (stopping) {
            return; // the snapshots keep their policies for the next version of this bundle
        }
        String name = policyName(props);
        List<PolicyRef> refs = name == null ? null : policies.get(name);
        if (refs == null || refs.isEmpty()) {
            return;
        }
        PolicyRef best = refs.get(0);
        refs.removeIf(p -> p.policy == policy);
        if (!refs.isEmpty()) {
            republish(this::balancesDifferently);
            return;
        }
        policies.remove(name);
        // The last service of the policy left (its bundle is being updated, or uninstalled): it keeps
        // balancing as the last one known good until a replacement comes or the grace period ends.
        departed.put(name, best);
        timer.schedule(() -> expire(name, best, "went away and nothing replaced it within " + graceMillis / 1000 + " s"),
                graceMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void expire(String name, PolicyRef gone, String why) {
        if (departed.remove(name, gone)) {
            List<String> using = new ArrayList<>();
            for (ClusterSpec s : effectiveSpecs()) {
                if (s.policy().equals(name)) {
                    using.add(s.name());
                }
            }
            if (!using.isEmpty()) {
                logWarn("balancing policy " + name + " " + why + ": clusters " + using + " balance with " + fallbackDescription() + " until it is installed again");
            }
            republish(this::balancesDifferently);
        }
    }

    /** A bundle was uninstalled: the policies it left are not being updated, they are gone. */
    synchronized void bundleGone(long bundleId) {
        for (Map.Entry<String, PolicyRef> e : new HashMap<>(departed).entrySet()) {
            if (e.getValue().bundleId == bundleId) {
                expire(e.getKey(), e.getValue(), "was uninstalled");
            }
        }
    }

    private String fallbackDescription() {
        return policies.containsKey(fallbackPolicy) ? "the fallback policy " + fallbackPolicy : "round-robin";
    }

    private static String policyName(Map<String, Object> props) {
        Object n = props.get(BalancingPolicy.NAME);
        return n == null ? null : n.toString();
    }

    /** The policy object a cluster balances with now, or null (round-robin). */
    private BalancingPolicy policyFor(String name) {
        List<PolicyRef> refs = policies.get(name);
        if (refs != null && !refs.isEmpty()) {
            return refs.get(0).policy;
        }
        PolicyRef gone = departed.get(name);
        if (gone != null) {
            return gone.policy;
        }
        List<PolicyRef> fallback = policies.get(fallbackPolicy);
        return fallback == null || fallback.isEmpty() ? null : fallback.get(0).policy;
    }

    private boolean balancesDifferently(String cluster) {
        Snapshot s = snapshots.get(cluster);
        ClusterSpec spec = effective(cluster);
        return s == null || spec == null || s.balancingPolicy() != policyFor(spec.policy()) || s.ready() != policies.containsKey(spec.policy());
    }

    // ---- clusters ----

    /**
     * Adds or replaces a cluster from its configuration. Endpoint counters survive for endpoints that
     * stay; an sb:policy override lasts while the configuration it overrode stays as it was.
     *
     * @return null when applied, else why not (another file defines the cluster)
     */
    public synchronized String put(ClusterSpec spec) {
        ClusterSpec other = specs.get(spec.name());
        if (other != null && other.source() != null && spec.source() != null && !ConfigReader.sameConfiguration(other.source(), spec.source())) {
            return "key 'name': cluster " + spec.name() + " is already defined by " + other.source();
        }
        String was = overridden.get(spec.name());
        if (was != null && !was.equals(spec.toString())) {
            logInfo("cluster " + spec.name() + ": its configuration changed, so the policy " + overrides.get(spec.name())
                    + " set from the shell gives way to " + spec.policy());
            overrides.remove(spec.name());
            overridden.remove(spec.name());
        }
        specs.put(spec.name(), spec);
        publish(effective(spec.name()));
        provisional.remove(spec.name()); // the table has the new snapshot already (a published one wins over a provisional one)
        return null;
    }

    /** The file that defines the cluster (null: none, or not from a file). */
    public synchronized String definedBy(String name) {
        ClusterSpec s = specs.get(name);
        return s == null ? null : s.source();
    }

    /** Removes the cluster, if the configuration removed is the one that defines it. */
    public synchronized void remove(String name, String source) {
        ClusterSpec s = specs.get(name);
        if (s != null && source != null && s.source() != null && !ConfigReader.sameConfiguration(s.source(), source)) {
            return;
        }
        specs.remove(name);
        boolean served = snapshots.remove(name) != null | provisional.remove(name) != null;
        if (served) {
            publishTable();
        }
        counters.remove(name);
        states.remove(name);
        watched.remove(name);
        floored.remove(name);
        if (probes != null) {
            probes.unwatch(name);
        }
        health.remove(name);
        overrides.remove(name);
        overridden.remove(name);
    }

    /** A cluster an earlier version served whose configuration no longer exists: it goes too. */
    public synchronized void dropProvisional(Predicate<String> stillConfigured) {
        for (String name : new ArrayList<>(provisional.keySet())) {
            if (!specs.containsKey(name) && !stillConfigured.test(name)) {
                provisional.remove(name);
                publishTable();
                counters.remove(name);
                logInfo("cluster " + name + " removed: its configuration is gone");
            }
        }
    }

    @Override
    public synchronized boolean setPolicy(String cluster, String policy) {
        ClusterSpec spec = specs.get(cluster);
        if (spec == null) {
            return false;
        }
        overrides.put(cluster, policy);
        overridden.put(cluster, spec.toString());
        publish(effective(cluster));
        return true;
    }

    private ClusterSpec effective(String cluster) {
        ClusterSpec spec = specs.get(cluster);
        String override = overrides.get(cluster);
        return spec == null || override == null ? spec : spec.withPolicy(override);
    }

    private List<ClusterSpec> effectiveSpecs() {
        List<ClusterSpec> out = new ArrayList<>();
        for (String name : specs.keySet()) {
            out.add(effective(name));
        }
        return out;
    }

    private void republish(Predicate<String> which) {
        for (ClusterSpec spec : effectiveSpecs()) {
            if (which.test(spec.name())) {
                publish(spec);
            }
        }
    }

    private void publish(ClusterSpec spec) {
        Map<String, EndpointCounters> old = counters.getOrDefault(spec.name(), Map.of());
        Map<String, EndpointCounters> now = new HashMap<>();
        for (Endpoint e : spec.endpoints()) {
            EndpointCounters c = old.containsKey(e.id()) ? old.get(e.id()) : new Counters();
            c.passiveHealth(spec.options().maxFails, spec.options().failTimeoutSeconds);
            now.put(e.id(), c);
        }
        counters.put(spec.name(), now);
        Map<String, EndpointState> oldStates = states.getOrDefault(spec.name(), Map.of());
        Map<String, EndpointState> nowStates = new HashMap<>();
        for (Endpoint e : spec.endpoints()) {
            nowStates.put(e.id(), oldStates.containsKey(e.id()) ? oldStates.get(e.id()) : new EndpointState());
        }
        states.put(spec.name(), nowStates);
        String watch = spec.endpoints() + " " + spec.health();
        if (probes != null && !watch.equals(watched.get(spec.name()))) {
            String cluster = spec.name();
            probes.watch(cluster, spec.endpoints(), spec.health(), nowStates,
                    spec.health().distribution().isEmpty() ? null : () -> distribute(cluster));
            watched.put(spec.name(), watch);
        }
        PolicyHealth h = health.computeIfAbsent(spec.name(), n -> new PolicyHealth(this::logWarn));
        boolean ready = policies.containsKey(spec.policy());
        noteReturns(snapshots.get(spec.name()), spec, nowStates);
        Snapshot s = new Snapshot(spec, policyFor(spec.policy()), ready, Map.copyOf(now), h, Map.copyOf(nowStates)).prepare();
        snapshots.put(spec.name(), s);
        publishTable();
        noteFloor(s);
        keepRamping(s);
        if (!ready && !departed.containsKey(spec.policy()) && warnedMissing.add(spec.name() + "/" + spec.policy())) {
            // At start-up policies register a moment after the clusters: only a policy still missing later is news.
            String name = spec.name();
            String policy = spec.policy();
            timer.schedule(() -> warnIfStillMissing(name, policy), graceMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A probe saw a change of health or agent capacity in the cluster: a new snapshot is published
     * if routing would differ (new balancers are then built), else nothing happens.
     */
    private synchronized void healthChanged(String cluster) {
        Snapshot current = snapshots.get(cluster);
        ClusterSpec spec = effective(cluster);
        if (current == null || spec == null || stopping) {
            return;
        }
        Map<String, EndpointState> now = states.getOrDefault(cluster, Map.of());
        noteReturns(current, spec, now);
        Snapshot next = new Snapshot(spec, current.balancingPolicy(), current.ready(), current.allCounters(), health.get(cluster), Map.copyOf(now));
        if (!next.view().equals(current.view())) {
            snapshots.put(cluster, next.prepare());
            publishTable();
            noteFloor(next);
        }
        keepRamping(next);
    }

    /**
     * Endpoints that take new work again (back from down or drained, or added to a running cluster)
     * start their slow start now, before the snapshot that lets them in is built.
     */
    private static void noteReturns(Snapshot before, ClusterSpec spec, Map<String, EndpointState> now) {
        long slowStart = spec.health().slowStartMillis();
        if (before == null || slowStart <= 0) {
            return;
        }
        long millis = System.currentTimeMillis();
        long stale = spec.health().agentStaleMillis();
        for (Endpoint e : spec.endpoints()) {
            EndpointState st = now.get(e.id());
            boolean routable = !st.drained(millis, stale) && !st.healthDown(millis, stale);
            if (routable && (!before.has(e.id()) || !before.routable(e.id())) && !st.ramping()) {
                st.returned(millis);
            }
        }
    }

    /** While an endpoint ramps up, the cluster is published again every twentieth of the window (at least 200 ms apart). */
    private void keepRamping(Snapshot s) {
        if (s.ramping() && !stopping && rampScheduled.add(s.name())) {
            long tick = Math.max(200, s.spec().health().slowStartMillis() / 20);
            String cluster = s.name();
            timer.schedule(() -> {
                synchronized (this) {
                    rampScheduled.remove(cluster);
                }
                healthChanged(cluster);
            }, tick, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The outlier watch, once a second: passive ejection backoff and error-rate ejection, decided
     * from the endpoints' counters on the control side and published in the snapshot.
     */
    void watchOutliers() {
        List<String> changed = new ArrayList<>();
        synchronized (this) {
            if (stopping) {
                return;
            }
            long now = System.nanoTime();
            for (ClusterSpec spec : effectiveSpecs()) {
                Map<String, EndpointCounters> c = counters.getOrDefault(spec.name(), Map.of());
                Map<String, EndpointState> st = states.getOrDefault(spec.name(), Map.of());
                boolean any = false;
                for (Endpoint e : spec.endpoints()) {
                    EndpointCounters n = c.get(e.id());
                    EndpointState s = st.get(e.id());
                    if (n != null && s != null) {
                        any |= s.watch(n.failuresInARow(), n.lastFailureNanos(), n.requests(), n.failures(), spec.options().maxFails,
                                spec.options().failTimeoutSeconds * 1_000_000_000L, spec.health().ejectErrorPercent(),
                                spec.health().ejectMinRequests(), now);
                    }
                }
                if (any) {
                    changed.add(spec.name());
                }
            }
            for (String cluster : changed) {
                healthChanged(cluster);
            }
        }
    }

    // ---- load distribution (the master module) ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void addDistribution(LoadDistribution d, Map<String, Object> props) {
        Object name = props.get(LoadDistribution.NAME);
        if (name == null) {
            logWarn("load distribution service " + props.get(Constants.SERVICE_ID) + " has no " + LoadDistribution.NAME + " property; ignored");
            return;
        }
        distributions.put(name.toString(), d);
    }

    synchronized void removeDistribution(LoadDistribution d, Map<String, Object> props) {
        Object name = props.get(LoadDistribution.NAME);
        // Its last factors stay in force until a replacement (its update) decides again.
        if (name != null) {
            distributions.remove(name.toString(), d);
        }
    }

    /**
     * One round of the master module for a cluster: the fresh agent reports go to the cluster's
     * distribution algorithm, whose factors scale the weights. The algorithm runs outside this
     * object's lock; one that is missing or throws leaves the factors as they were (counted, logged).
     */
    void distribute(String cluster) {
        ClusterSpec spec;
        LoadDistribution algorithm;
        List<LoadReport> reports = new ArrayList<>();
        Map<String, Integer> previous = new HashMap<>();
        synchronized (this) {
            spec = effective(cluster);
            if (spec == null || stopping || spec.health().distribution().isEmpty()) {
                return;
            }
            algorithm = distributions.get(spec.health().distribution());
            if (algorithm == null) {
                if (warnedMissing.add(cluster + "/distribution " + spec.health().distribution())) {
                    logWarn("cluster " + cluster + ": load distribution '" + spec.health().distribution() + "' is not installed (installed: "
                            + new java.util.TreeSet<>(distributions.keySet()) + "); the agents' stated capacities apply until it is");
                }
                return;
            }
            warnedMissing.remove(cluster + "/distribution " + spec.health().distribution());
            long now = System.currentTimeMillis();
            long stale = spec.health().agentStaleMillis();
            Map<String, EndpointState> byId = states.getOrDefault(cluster, Map.of());
            for (Endpoint e : spec.endpoints()) {
                EndpointState st = byId.get(e.id());
                AgentReport a = st == null ? null : st.agentReport(now, stale);
                if (st != null && st.distributed() >= 0) {
                    previous.put(e.id(), st.distributed());
                }
                if (a != null) {
                    reports.add(new LoadReport(e, st.agentPercent(now, stale), a.cpuPercent(), a.clients(), a.requestsPerSecond(),
                            a.averageExecutionMillis(), now - st.agentAtMillis()));
                }
            }
        }
        Map<String, Integer> factors;
        try {
            factors = algorithm.distribute(cluster, List.copyOf(reports), Map.copyOf(previous));
        } catch (RuntimeException | LinkageError e) {
            distributionProblems.occurred(this::logWarn, "cluster " + cluster + ": load distribution '" + spec.health().distribution()
                    + "' threw " + e + "; the weights stay as they were");
            return;
        }
        synchronized (this) {
            Map<String, EndpointState> byId = states.getOrDefault(cluster, Map.of());
            boolean changed = false;
            for (Endpoint e : spec.endpoints()) {
                EndpointState st = byId.get(e.id());
                if (st == null) {
                    continue;
                }
                Integer f = factors == null ? null : factors.get(e.id());
                int pct = f == null ? -1 : Math.max(0, Math.min(100, f));
                changed |= st.distributed(pct);
            }
            if (changed) {
                healthChanged(cluster);
            }
        }
    }

    private void noteFloor(Snapshot s) {
        if (s.floored() && floored.add(s.name())) {
            logWarn("cluster " + s.name() + ": every agent reports 0 % capacity; the configured weights apply instead, so that the cluster is not blackholed");
        } else if (!s.floored() && floored.remove(s.name())) {
            logInfo("cluster " + s.name() + ": agents report capacity again; their weights apply");
        }
    }

    @Override
    public String drain(String endpoint) {
        return setDrained(endpoint, true);
    }

    @Override
    public String enable(String endpoint) {
        return setDrained(endpoint, false);
    }

    /** Drains or enables {@code [cluster/]endpoint} (id, or host:port) in its cluster, or in every cluster that has it. */
    private synchronized String setDrained(String endpoint, boolean drain) {
        String cluster = null;
        String which = endpoint.trim();
        int slash = which.indexOf('/');
        if (slash >= 0) {
            cluster = which.substring(0, slash);
            which = which.substring(slash + 1);
        }
        if (cluster != null && !specs.containsKey(cluster)) {
            return "no cluster " + cluster + " (clusters: " + new java.util.TreeSet<>(specs.keySet()) + ")";
        }
        List<String> done = new ArrayList<>();
        for (ClusterSpec spec : effectiveSpecs()) {
            if (cluster != null && !spec.name().equals(cluster)) {
                continue;
            }
            for (Endpoint e : spec.endpoints()) {
                if (e.id().equals(which) || e.addressText().equals(which)) {
                    EndpointState st = states.get(spec.name()).get(e.id());
                    if (!drain) {
                        st.clearPassive(System.nanoTime()); // the operator vouches for it
                    }
                    if (st.setDrained(drain)) {
                        logInfo("cluster " + spec.name() + ": endpoint " + e.id() + (drain ? " drained from the shell: no new work goes to it, open requests finish"
                                : " enabled from the shell"));
                    }
                    done.add(spec.name() + "/" + e.id());
                }
            }
            healthChanged(spec.name());
        }
        if (done.isEmpty()) {
            return "no endpoint " + which + (cluster == null ? " in any cluster" : " in cluster " + cluster);
        }
        return (drain ? "drained " : "enabled ") + String.join(", ", done)
                + (drain ? " (open requests finish; sb:enable undoes it; it lasts until the runtime restarts)" : "");
    }

    private synchronized void warnIfStillMissing(String cluster, String policy) {
        ClusterSpec s = effective(cluster);
        if (s != null && s.policy().equals(policy) && !policies.containsKey(policy)) {
            logWarn("cluster " + cluster + ": balancing policy '" + policy + "' is not installed (installed: " + policies().toString()
                    + "); it balances with " + fallbackDescription() + " until it is");
        }
        warnedMissing.remove(cluster + "/" + policy);
    }

    /**
     * The one way a change of the snapshots reaches the data plane: every cluster's current snapshot
     * (a provisional one where the configuration was not read again yet) goes to the publisher, which
     * publishes them with the rules as a new table. Called, under this object's lock, after every
     * change of {@link #snapshots} or {@link #provisional}.
     */
    private void publishTable() {
        Map<String, ClusterSnapshot> all = new HashMap<>(provisional);
        all.putAll(snapshots);
        tables.clusters(all.values());
    }

    /** The table in force: routes and clusters, one version (one volatile read). */
    @Override
    public ConfigTable table() {
        return tables.current();
    }

    @Override
    public ClusterSnapshot cluster(String name) {
        return tables.current().cluster(name);
    }

    @Override
    public List<ClusterSnapshot> clusters() {
        return tables.current().clusters();
    }

    @Override
    public synchronized List<String> policies() {
        List<String> names = new ArrayList<>(policies.keySet());
        names.sort(null);
        return names;
    }

    /** The sb:policy overrides in force, by cluster. */
    public synchronized Map<String, String> overrides() {
        return Map.copyOf(overrides);
    }

    private void logWarn(String msg) {
        out.warn(msg);
    }

    private void logInfo(String msg) {
        out.info(msg);
    }

    private void logError(String msg) {
        out.error(msg);
    }
}
