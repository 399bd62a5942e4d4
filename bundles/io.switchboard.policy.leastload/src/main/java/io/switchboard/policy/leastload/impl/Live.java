package io.switchboard.policy.leastload.impl;

import io.switchboard.api.Endpoint;
import java.util.List;

/** Helpers shared by the load-aware policies. */
final class Live {
    private Live() {
    }

    /** The endpoints that may be chosen at all: weight 0 means drained. */
    static Endpoint[] of(List<Endpoint> endpoints) {
        return endpoints.stream().filter(e -> e.weight() > 0).toArray(Endpoint[]::new);
    }

    /**
     * True when {@code a} carries less load per unit of weight than {@code b}:
     * activeA / weightA &lt; activeB / weightB, compared without division.
     */
    static boolean lighter(long activeA, int weightA, long activeB, int weightB) {
        return activeA * weightB < activeB * weightA;
    }
}
