package io.switchboard.api.policy;

import io.switchboard.api.Endpoint;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A balancing policy that decides on the endpoints' live load. The platform calls
 * {@link #newBalancer(List, EndpointLoad)} instead of {@link #newBalancer(List)} for it; the
 * one-argument method stays for callers that know no load.
 */
@ConsumerType
public interface LoadAwarePolicy extends BalancingPolicy {
    /**
     * @param endpoints the cluster's endpoints in configuration order, immutable, never empty
     * @param load      the live number of outstanding requests of each endpoint
     * @return a balancer used by one thread only, for as long as this snapshot lives
     */
    Balancer newBalancer(List<Endpoint> endpoints, EndpointLoad load);
}
