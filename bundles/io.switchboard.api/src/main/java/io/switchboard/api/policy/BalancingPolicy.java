package io.switchboard.api.policy;

import io.switchboard.api.Endpoint;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A balancing policy, registered as an OSGi service with the property {@value #NAME} naming it.
 * It is a factory: the platform calls {@link #newBalancer} once per endpoint snapshot and per
 * switching thread, and the data path then only calls {@link Balancer#choose}. A policy never
 * probes, never locks and never sees threads: membership, weight and health changes arrive as a
 * new snapshot, that is, a new balancer.
 */
@ConsumerType
public interface BalancingPolicy {
    /** Service property carrying the policy's name, e.g. {@code round-robin}. */
    String NAME = "switchboard.policy.name";

    /**
     * @param endpoints the cluster's endpoints in configuration order, immutable, never empty
     * @return a balancer used by one thread only, for as long as this snapshot lives
     */
    Balancer newBalancer(List<Endpoint> endpoints);
}
