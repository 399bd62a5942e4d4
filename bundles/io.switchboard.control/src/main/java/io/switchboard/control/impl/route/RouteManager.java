package io.switchboard.control.impl.route;

import io.switchboard.api.routing.RouteRule;
import io.switchboard.api.routing.RouteTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/** The routing rules in force: edited by their configurations, read per request as one immutable list. */
@Component(service = {RouteTable.class, RouteManager.class})
public class RouteManager implements RouteTable {
    private final Map<String, RouteRule> byName = new HashMap<>();
    private volatile List<RouteRule> rules = List.of();

    public synchronized void put(RouteRule rule) {
        byName.put(rule.name(), rule);
        publish();
    }

    public synchronized void remove(String name) {
        if (byName.remove(name) != null) {
            publish();
        }
    }

    private void publish() {
        List<RouteRule> sorted = new ArrayList<>(byName.values());
        sorted.sort(Comparator.comparingInt(RouteRule::order).thenComparing(RouteRule::name));
        rules = List.copyOf(sorted);
    }

    @Override
    public List<RouteRule> rules() {
        return rules;
    }
}
