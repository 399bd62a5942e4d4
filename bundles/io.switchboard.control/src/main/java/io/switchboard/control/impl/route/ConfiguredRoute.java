package io.switchboard.control.impl.route;

import io.switchboard.api.RequestContext;
import io.switchboard.api.routing.RouteRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A routing rule as configured: its conditions parsed once, tested per request. */
final class ConfiguredRoute implements RouteRule {
    private final String name;
    private final int order;
    private final List<String> frontends;
    private final List<Match> conditions;
    private final String cluster;
    /** Where it was configured, for messages; not part of what the rule is. */
    final String source;

    ConfiguredRoute(String name, int order, List<String> frontends, List<Match> conditions, String cluster, String source) {
        this.name = Objects.requireNonNull(name);
        this.order = order;
        this.frontends = List.copyOf(frontends);
        this.conditions = List.copyOf(conditions);
        this.cluster = Objects.requireNonNull(cluster);
        this.source = source;
    }

    @Override public String name() { return name; }
    @Override public int order() { return order; }
    @Override public List<String> frontends() { return frontends; }
    @Override public String cluster() { return cluster; }

    @Override
    public List<String> conditions() {
        List<String> out = new ArrayList<>();
        for (Match m : conditions) {
            out.add(m.toString());
        }
        return out;
    }

    @Override
    public boolean matches(RequestContext request) {
        if (!frontends.isEmpty() && !frontends.contains(request.frontend())) {
            return false;
        }
        for (Match m : conditions) {
            if (!m.test(request)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConfiguredRoute)) {
            return false;
        }
        ConfiguredRoute r = (ConfiguredRoute) o;
        return name.equals(r.name) && order == r.order && frontends.equals(r.frontends)
                && conditions.equals(r.conditions) && cluster.equals(r.cluster);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, order, frontends, conditions, cluster);
    }

    @Override
    public String toString() {
        return name + " (order " + order + (frontends.isEmpty() ? "" : ", frontends " + frontends) + "): "
                + (conditions.isEmpty() ? "any" : String.join(" and ", conditions())) + " -> " + cluster;
    }
}
