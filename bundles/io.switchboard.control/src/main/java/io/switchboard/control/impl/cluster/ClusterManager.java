package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Owns the clusters: their specs, the balancing policies registered as services, and the current
 * snapshot of each cluster. Edits are serialized here (control plane); the data plane only reads
 * the snapshot map, which publishes each new snapshot safely.
 */
@Component(service = {ClusterDirectory.class, ClusterManager.class})
public class ClusterManager implements ClusterDirectory {
    private final Map<String, ClusterSpec> specs = new HashMap<>();
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counters>> counters = new HashMap<>();
    /** Policies by name; among several with one name the highest ranking wins. */
    private final Map<String, List<PolicyRef>> policies = new HashMap<>();
    private final AtomicLong policyFailures = new AtomicLong();

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private static final class PolicyRef {
        final BalancingPolicy policy;
        final int ranking;
        final long id;

        PolicyRef(BalancingPolicy policy, Map<String, Object> props) {
            this.policy = policy;
            Object r = props.get(Constants.SERVICE_RANKING);
            this.ranking = r instanceof Integer ? (Integer) r : 0;
            this.id = ((Number) props.get(Constants.SERVICE_ID)).longValue();
        }
    }

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
        republishUsing(name);
    }

    synchronized void removePolicy(BalancingPolicy policy, Map<String, Object> props) {
        String name = policyName(props);
        List<PolicyRef> refs = name == null ? null : policies.get(name);
        if (refs == null) {
            return;
        }
        refs.removeIf(p -> p.policy == policy);
        if (refs.isEmpty()) {
            policies.remove(name);
        }
        republishUsing(name);
    }

    private static String policyName(Map<String, Object> props) {
        Object n = props.get(BalancingPolicy.NAME);
        return n == null ? null : n.toString();
    }

    private void republishUsing(String policyName) {
        for (ClusterSpec spec : specs.values()) {
            if (spec.policy().equals(policyName)) {
                publish(spec);
            }
        }
    }

    /** Adds or replaces a cluster. Endpoint counters survive for endpoints that stay. */
    public synchronized void put(ClusterSpec spec) {
        specs.put(spec.name(), spec);
        publish(spec);
    }

    public synchronized void remove(String name) {
        specs.remove(name);
        snapshots.remove(name);
        counters.remove(name);
    }

    @Override
    public synchronized boolean setPolicy(String cluster, String policy) {
        ClusterSpec spec = specs.get(cluster);
        if (spec == null) {
            return false;
        }
        put(spec.withPolicy(policy));
        return true;
    }

    private void publish(ClusterSpec spec) {
        Map<String, Counters> old = counters.getOrDefault(spec.name(), Map.of());
        Map<String, Counters> now = new HashMap<>();
        for (Endpoint e : spec.endpoints()) {
            Counters c = old.getOrDefault(e.id(), new Counters());
            c.health(spec.options().maxFails, spec.options().failTimeoutSeconds);
            now.put(e.id(), c);
        }
        counters.put(spec.name(), now);
        List<PolicyRef> refs = policies.get(spec.policy());
        BalancingPolicy policy = refs == null || refs.isEmpty() ? null : refs.get(0).policy;
        if (policy == null && !shuttingDown()) {
            logWarn("cluster " + spec.name() + ": balancing policy '" + spec.policy()
                    + "' is not installed; requests get 503 until it is (installed: " + policies.keySet() + ")");
        }
        snapshots.put(spec.name(), new Snapshot(spec, policy, Map.copyOf(now), this::policyFailed));
    }

    private boolean shuttingDown() {
        Bundle self = FrameworkUtil.getBundle(ClusterManager.class);
        Bundle system = self == null || self.getBundleContext() == null ? null : self.getBundleContext().getBundle(0);
        return system != null && system.getState() == Bundle.STOPPING;
    }

    private void policyFailed(Throwable t) {
        // Counted always, logged sparingly: a broken policy must not flood the log from the data path.
        long n = policyFailures.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            logWarn("balancing policy failed (" + n + " times so far): " + t);
        }
    }

    private void logWarn(String msg) {
        if (log != null) {
            log.warn(msg);
        }
    }

    public long policyFailures() {
        return policyFailures.get();
    }

    @Override
    public ClusterSnapshot cluster(String name) {
        return snapshots.get(name);
    }

    @Override
    public List<ClusterSnapshot> clusters() {
        List<ClusterSnapshot> all = new ArrayList<>(snapshots.values());
        all.sort(Comparator.comparing(ClusterSnapshot::name));
        return all;
    }

    @Override
    public synchronized List<String> policies() {
        List<String> names = new ArrayList<>(policies.keySet());
        names.sort(null);
        return names;
    }
}
