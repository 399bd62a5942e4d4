package io.switchboard.api.routing;

import io.switchboard.api.RequestContext;
import java.util.List;
import java.util.Objects;

/**
 * A routing rule: when every condition matches a request arriving on one of its frontends (or on
 * any, when it names none), the request goes to the rule's cluster. Rules are tried by order, then
 * name; the first that matches wins; a request no rule matches goes to its frontend's cluster.
 */
public final class RouteRule {
    private final String name;
    private final int order;
    private final List<String> frontends;
    private final List<Match> conditions;
    private final String cluster;

    public RouteRule(String name, int order, List<String> frontends, List<Match> conditions, String cluster) {
        this.name = Objects.requireNonNull(name);
        this.order = order;
        this.frontends = List.copyOf(frontends);
        this.conditions = List.copyOf(conditions);
        this.cluster = Objects.requireNonNull(cluster);
    }

    public String name() { return name; }
    public int order() { return order; }
    /** Frontends the rule applies to; empty: all. */
    public List<String> frontends() { return frontends; }
    public List<Match> conditions() { return conditions; }
    public String cluster() { return cluster; }

    /** Does the rule apply to this request? */
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
        if (!(o instanceof RouteRule)) {
            return false;
        }
        RouteRule r = (RouteRule) o;
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
                + (conditions.isEmpty() ? "any" : String.join(" and ", conditions.stream().map(Match::toString).toArray(String[]::new)))
                + " -> " + cluster;
    }
}
