package io.switchboard.control.impl.route;

import io.switchboard.api.routing.RouteRule;
import io.switchboard.api.routing.RouteTable;
import io.switchboard.control.impl.ConfigTablePublisher;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The routing rules in force: edited by their configurations, read per request as one immutable
 * list. The rules are handed to the next version of this bundle, which routes by them until it has
 * read the configuration again, so that no request is routed by half a table. Every change goes to
 * the {@link ConfigTablePublisher} too, which publishes the rules with the clusters' snapshots as one
 * table: that table, not this service, is what the HTTP handler routes by ({@link RouteTable} stays for
 * the shell and for anyone who only lists the rules).
 */
@Component(service = {RouteTable.class, RouteManager.class})
public class RouteManager implements RouteTable {
    static final String HANDOVER_KEY = "io.switchboard.control.routes";

    private final Map<String, RouteRule> byName = new HashMap<>();
    /** Rules an earlier version left, kept until their configuration is read again (or found gone). */
    private final Map<String, RouteRule> provisional = new HashMap<>();
    private volatile List<RouteRule> rules = List.of();
    private BundleContext context;
    /** Set before activation (a static reference), never unset: see ClusterManager's field. */
    private ConfigTablePublisher tables = new ConfigTablePublisher();

    @Reference
    void setTables(ConfigTablePublisher tables) {
        this.tables = tables;
    }

    @Activate
    @SuppressWarnings("unchecked")
    synchronized void activate(BundleContext context) {
        this.context = context;
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        if (left != null) {
            for (RouteRule r : (List<RouteRule>) left.get("rules")) {
                provisional.put(r.name(), r);
            }
            publish();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (context != null && !Handover.frameworkStopping(context)) {
            Handover.leave(context, HANDOVER_KEY, Map.of("rules", rules));
        }
    }

    /** @return null when applied, else why not (another file defines the rule) */
    public synchronized String put(ConfiguredRoute rule) {
        RouteRule other = byName.get(rule.name());
        if (other instanceof ConfiguredRoute && ((ConfiguredRoute) other).source != null && rule.source != null
                && !ConfigReader.sameConfiguration(((ConfiguredRoute) other).source, rule.source)) {
            return "key 'name': route " + rule.name() + " is already defined by " + ((ConfiguredRoute) other).source;
        }
        byName.put(rule.name(), rule);
        provisional.remove(rule.name());
        publish();
        return null;
    }

    /** The file that defines the rule (null: none, or not from a file). */
    public synchronized String definedBy(String name) {
        RouteRule r = byName.get(name);
        return r instanceof ConfiguredRoute ? ((ConfiguredRoute) r).source : null;
    }

    /** Removes the rule, if the configuration removed is the one that defines it. */
    public synchronized void remove(String name, String source) {
        RouteRule r = byName.get(name);
        if (r instanceof ConfiguredRoute && source != null && ((ConfiguredRoute) r).source != null
                && !ConfigReader.sameConfiguration(((ConfiguredRoute) r).source, source)) {
            return;
        }
        if (byName.remove(name) != null | provisional.remove(name) != null) {
            publish();
        }
    }

    /** Rules an earlier version left whose configuration no longer exists go too. */
    public synchronized void dropProvisional(Predicate<String> stillConfigured) {
        if (provisional.keySet().removeIf(name -> !stillConfigured.test(name))) {
            publish();
        }
    }

    private void publish() {
        Map<String, RouteRule> all = new HashMap<>(provisional);
        all.putAll(byName);
        List<RouteRule> sorted = new ArrayList<>(all.values());
        sorted.sort(Comparator.comparingInt(RouteRule::order).thenComparing(RouteRule::name));
        rules = List.copyOf(sorted);
        tables.routes(rules);
    }

    @Override
    public List<RouteRule> rules() {
        return rules;
    }
}
