package io.switchboard.example.policy.random;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.osgi.service.component.annotations.Component;

/** The smallest complete balancing policy: a random endpoint that is not excluded. */
@Component(property = BalancingPolicy.NAME + "=random")
public class RandomPolicy implements BalancingPolicy {

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints) {
        Endpoint[] all = endpoints.toArray(new Endpoint[0]);
        return (RequestContext request, Set<String> excluded) -> {
            int start = ThreadLocalRandom.current().nextInt(all.length);
            for (int i = 0; i < all.length; i++) {
                Endpoint e = all[(start + i) % all.length];
                if (!excluded.contains(e.id())) {
                    return e;
                }
            }
            return null;
        };
    }
}
