package io.switchboard.api.runtime;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The configured clusters, each as its current snapshot. */
@ProviderType
public interface ClusterDirectory {
    /** The current snapshot of the named cluster, or null when no such cluster is configured. */
    ClusterSnapshot cluster(String name);

    List<ClusterSnapshot> clusters();

    /**
     * The configuration table in force: the routing rules and every cluster's snapshot, one immutable
     * version of both. A request reads it once and routes by it alone.
     *
     * <p>A method of the directory rather than a service of its own: whoever holds the directory (as
     * its last one known good, across an update of the control bundle) holds the table of the same
     * control version with it, with no second reference to bind, hand over or pair up; and the
     * directory's own {@link #cluster} and {@link #clusters} answer from that same table. This default
     * serves a directory that publishes no table: a table of its clusters now, with no routing rules
     * and version 0; the platform's control bundle overrides it.
     */
    default ConfigTable table() {
        return ConfigTable.of(0, List.of(), clusters());
    }

    /** Names of the balancing policies registered now. */
    List<String> policies();

    /**
     * Switches a cluster to another balancing policy now (until its configuration changes).
     *
     * @return false when there is no such cluster
     */
    boolean setPolicy(String cluster, String policy);

    /**
     * Drains endpoints: no new request or connection goes to them, those open finish. The endpoint
     * is {@code [cluster/]id} (or {@code host:port} for the id); without a cluster, every cluster
     * that has it.
     *
     * @return what was done, for the operator
     */
    default String drain(String endpoint) {
        return "draining is not supported by this control bundle";
    }

    /** Undoes {@link #drain}. */
    default String enable(String endpoint) {
        return "draining is not supported by this control bundle";
    }
}
