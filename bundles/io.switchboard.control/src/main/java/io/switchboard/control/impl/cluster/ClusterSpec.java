package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import java.util.List;
import java.util.Objects;

/** A validated cluster configuration. */
public final class ClusterSpec {
    private final String name;
    private final String policy;
    private final List<Endpoint> endpoints;

    public ClusterSpec(String name, String policy, List<Endpoint> endpoints) {
        this.name = Objects.requireNonNull(name);
        this.policy = Objects.requireNonNull(policy);
        this.endpoints = List.copyOf(endpoints);
    }

    public String name() { return name; }
    public String policy() { return policy; }
    public List<Endpoint> endpoints() { return endpoints; }

    public ClusterSpec withPolicy(String newPolicy) {
        return new ClusterSpec(name, newPolicy, endpoints);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterSpec && ((ClusterSpec) o).name.equals(name)
                && ((ClusterSpec) o).policy.equals(policy) && ((ClusterSpec) o).endpoints.equals(endpoints);
    }

    @Override
    public int hashCode() { return Objects.hash(name, policy, endpoints); }
}
