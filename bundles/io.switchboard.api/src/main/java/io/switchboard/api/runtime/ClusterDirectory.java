package io.switchboard.api.runtime;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The configured clusters, each as its current snapshot. */
@ProviderType
public interface ClusterDirectory {
    /** The current snapshot of the named cluster, or null when no such cluster is configured. */
    ClusterSnapshot cluster(String name);

    List<ClusterSnapshot> clusters();

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
