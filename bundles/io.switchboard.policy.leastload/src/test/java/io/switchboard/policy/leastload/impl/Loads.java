package io.switchboard.policy.leastload.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.EndpointLoad;
import java.util.HashMap;
import java.util.Map;

/** A hand-driven EndpointLoad, as the platform's counters would report it. */
final class Loads implements EndpointLoad {
    private final Map<String, Long> active = new HashMap<>();

    Loads set(String id, long n) {
        active.put(id, n);
        return this;
    }

    void started(Endpoint e) {
        active.merge(e.id(), 1L, Long::sum);
    }

    void finished(Endpoint e) {
        active.merge(e.id(), -1L, Long::sum);
    }

    @Override
    public long active(Endpoint e) {
        return active.getOrDefault(e.id(), 0L);
    }

    static Endpoint ep(String id, int weight) {
        return new Endpoint(id, "127.0.0.1", 9000 + (id.hashCode() & 0x3ff), weight);
    }
}
