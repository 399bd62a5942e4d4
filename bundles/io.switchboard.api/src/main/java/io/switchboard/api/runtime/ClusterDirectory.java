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
}
