package io.switchboard.api.runtime;

import io.switchboard.api.routing.RouteRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One immutable version of everything a request is routed by: the routing rules and every
 * cluster's snapshot (its endpoints, effective weights, health, drains, distribution and balancers).
 * The control plane publishes a whole new table, with one volatile write, whenever a rule or a
 * cluster changes; a request reads the current table once and takes both the rule that picks its
 * cluster and that cluster's snapshot from it, so it never sees the rules of one version and the
 * clusters of another.
 */
@ProviderType
public interface ConfigTable {
    /** Grows with every table published (and across updates of the control bundle); 0: a table not published by the control plane. */
    long version();

    /** The routing rules, in the order they are tried (order, then name). */
    List<RouteRule> routes();

    /** The named cluster's snapshot in this table, or null when the table has no such cluster. */
    ClusterSnapshot cluster(String name);

    /** Every cluster's snapshot, by name. */
    List<ClusterSnapshot> clusters();

    /** A table of these rules and clusters (a snapshot of each list is taken). */
    static ConfigTable of(long version, List<RouteRule> routes, List<ClusterSnapshot> clusters) {
        List<RouteRule> rules = List.copyOf(routes);
        Map<String, ClusterSnapshot> byName = new HashMap<>();
        for (ClusterSnapshot c : clusters) {
            byName.put(c.name(), c);
        }
        Map<String, ClusterSnapshot> frozen = Map.copyOf(byName);
        List<ClusterSnapshot> sorted = new ArrayList<>(frozen.values());
        sorted.sort(Comparator.comparing(ClusterSnapshot::name));
        List<ClusterSnapshot> all = List.copyOf(sorted);
        return new ConfigTable() {
            @Override public long version() { return version; }
            @Override public List<RouteRule> routes() { return rules; }
            @Override public ClusterSnapshot cluster(String name) { return name == null ? null : frozen.get(name); }
            @Override public List<ClusterSnapshot> clusters() { return all; }
            @Override public String toString() { return "table " + version + ": " + rules.size() + " routes, clusters " + frozen.keySet(); }
        };
    }
}
