package io.switchboard.control.impl.config;

import io.switchboard.control.impl.cluster.ClusterManager;
import io.switchboard.control.impl.route.RouteManager;
import io.switchboard.control.impl.route.RouteSettings;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * After an update of this bundle the clusters and routes of the previous version keep serving until
 * their configurations are read again. A while after start, those whose configuration no longer
 * exists (deleted while the bundle was being updated) are dropped. A configuration that exists but
 * does not parse keeps the cluster or route as it was: it is the "previous configuration" it keeps.
 */
@Component(immediate = true)
public class ProvisionalCleanup {
    static final long AFTER_MILLIS = 10_000;

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference
    private ClusterManager clusters;

    @Reference
    private RouteManager routes;

    private ScheduledExecutorService timer;

    @Activate
    void activate() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sb-config-cleanup");
            t.setDaemon(true);
            return t;
        });
        timer.schedule(this::cleanUp, AFTER_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    private void cleanUp() {
        try {
            Set<String> clusterNames = names(ClusterSettings.FACTORY_PID, ClusterSettings.KEYS);
            clusters.dropProvisional(clusterNames::contains);
            Set<String> routeNames = names(RouteSettings.FACTORY_PID, RouteSettings.KEYS);
            routes.dropProvisional(routeNames::contains);
        } catch (Exception e) {
            // Nothing is lost: the previous version's clusters and routes simply stay.
        }
    }

    /** The instance names of the configurations of a factory PID. */
    private Set<String> names(String factoryPid, List<String> keys) throws Exception {
        Set<String> names = new HashSet<>();
        Configuration[] all = configAdmin.listConfigurations("(service.factoryPid=" + factoryPid + ")");
        for (Configuration c : all == null ? new Configuration[0] : all) {
            Dictionary<String, Object> d = c.getProperties();
            if (d == null) {
                continue;
            }
            Map<String, Object> props = new HashMap<>();
            for (String k : Collections.list(d.keys())) {
                props.put(k, d.get(k));
            }
            try {
                names.add(new ConfigReader(props, keys).instanceName());
            } catch (ConfigProblem p) {
                // a configuration without a usable name names nothing
            }
        }
        return names;
    }
}
