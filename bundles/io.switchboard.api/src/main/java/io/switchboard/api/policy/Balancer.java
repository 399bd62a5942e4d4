package io.switchboard.api.policy;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/** Chooses an endpoint for one request. One instance per thread and snapshot: no locking needed. */
@ConsumerType
public interface Balancer {
    /**
     * @param request  what is known of the request
     * @param excluded ids of endpoints that must not be chosen (already failed for this request)
     * @return the chosen endpoint, or null when every endpoint is excluded
     */
    Endpoint choose(RequestContext request, Set<String> excluded);
}
