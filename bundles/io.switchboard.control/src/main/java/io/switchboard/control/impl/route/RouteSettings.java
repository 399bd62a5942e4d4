package io.switchboard.control.impl.route;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns the properties of one {@code io.switchboard.route} configuration into a rule. */
public final class RouteSettings {
    public static final String FACTORY_PID = "io.switchboard.route";
    public static final List<String> KEYS = List.of("name", "order", "frontends", "match", "cluster");

    private RouteSettings() {
    }

    public static ConfiguredRoute parse(Map<String, ?> props) throws ConfigProblem {
        return parse(new ConfigReader(props, KEYS));
    }

    static ConfiguredRoute parse(ConfigReader r) throws ConfigProblem {
        r.rejectUnknownKeys();
        String name = r.instanceName();
        int order = r.integer("order", 100, 0, 1_000_000);
        List<String> frontends = r.list("frontends");
        List<Match> conditions = new ArrayList<>();
        for (String condition : r.list("match")) {
            try {
                conditions.add(Match.parse(condition));
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem("match", e.getMessage());
            }
        }
        String cluster = r.requiredString("cluster");
        return new ConfiguredRoute(name, order, frontends, conditions, cluster, r.source());
    }
}
