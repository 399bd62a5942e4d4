package io.switchboard.control.impl;

import io.switchboard.api.routing.RouteRule;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.ConfigTable;
import io.switchboard.support.lifecycle.Handover;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The double-buffered configuration table: the routing rules and every cluster's snapshot as one
 * immutable {@link ConfigTable}, replaced whole with one volatile write whenever the cluster manager
 * publishes or removes a snapshot or the route manager changes the rules. Each of them feeds its whole
 * part here (every cluster, every rule), under this object's lock, so tables are published in order
 * and each is a version both parts were current in. The data plane reads {@link #current()} once per
 * request and routes by that table alone.
 *
 * <p>One component that both managers reference (it references neither: no cycle). The table in force
 * is handed to the next version of this bundle, which serves it from its activation on, before the new
 * managers feed what they took over themselves (the same snapshots and rules): the new version never
 * publishes a table with the clusters but not yet the rules.
 */
@Component(service = ConfigTablePublisher.class)
public final class ConfigTablePublisher {
    static final String HANDOVER_KEY = "io.switchboard.control.table";

    private volatile ConfigTable current = ConfigTable.of(0, List.of(), List.of());
    private long version;
    private List<RouteRule> routes = List.of();
    private List<ClusterSnapshot> clusters = List.of();
    private BundleContext context;

    @Activate
    synchronized void activate(BundleContext context) {
        this.context = context;
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        if (left != null && left.get("table") instanceof ConfigTable) {
            ConfigTable t = (ConfigTable) left.get("table");
            version = Math.max(version, t.version());
            routes = t.routes();
            clusters = t.clusters();
            publish();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (context != null && !Handover.frameworkStopping(context)) {
            Handover.leave(context, HANDOVER_KEY, Map.of("table", current));
        }
    }

    /** The table in force: one volatile read. */
    public ConfigTable current() {
        return current;
    }

    /** The cluster manager's part: every cluster's snapshot now (those served provisionally included). */
    public synchronized ConfigTable clusters(Collection<? extends ClusterSnapshot> all) {
        clusters = List.copyOf(all);
        return publish();
    }

    /** The route manager's part: every rule now, in the order they are tried. */
    public synchronized ConfigTable routes(List<RouteRule> rules) {
        routes = rules;
        return publish();
    }

    private ConfigTable publish() {
        ConfigTable t = ConfigTable.of(++version, routes, new ArrayList<>(clusters));
        current = t; // the one volatile write
        return t;
    }
}
