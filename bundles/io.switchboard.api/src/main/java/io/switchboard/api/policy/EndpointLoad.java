package io.switchboard.api.policy;

import io.switchboard.api.Endpoint;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The live load of a snapshot's endpoints, as the platform counts it. Implemented by the platform
 * and handed to a {@link LoadAwarePolicy}; reading it is cheap, lock-free and safe from any thread.
 */
@ProviderType
public interface EndpointLoad {
    /**
     * @param e an endpoint of the snapshot the balancer was made for
     * @return requests (or TCP connections) sent to it and not yet finished; 0 for an endpoint the
     *         platform does not know
     */
    long active(Endpoint e);
}
