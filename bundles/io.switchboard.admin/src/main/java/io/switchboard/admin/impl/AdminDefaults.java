package io.switchboard.admin.impl;

import io.switchboard.support.lifecycle.Handover;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The admin page's default frontend: a cluster {@code admin} whose one endpoint is
 * {@code local:admin}, and an HTTP frontend {@code admin} on {@code switchboard.admin.address}
 * (127.0.0.1: it has no authentication) port {@code switchboard.admin.port} (8081) over it, made
 * through Config Admin as the demo bundle makes its own. {@code switchboard.admin=false} leaves
 * them out (the {@code admin} application stays: a cluster of one's own can still reach
 * {@code local:admin}). A busy port is what it is for any frontend: one log line, {@code sb:frontends}
 * shows it FAILED, and the rest of the runtime runs on. An update of this bundle keeps both.
 */
@Component(immediate = true)
public class AdminDefaults {
    static final String HANDOVER_KEY = "io.switchboard.admin.defaults";
    static final String NAME = "admin";

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private BundleContext context;
    private final List<Configuration> configs = new ArrayList<>();

    @Activate
    @SuppressWarnings("unchecked")
    void activate(BundleContext context) throws Exception {
        this.context = context;
        if ("false".equalsIgnoreCase(context.getProperty("switchboard.admin"))) {
            log.info("admin frontend disabled (switchboard.admin=false); the admin application is reachable as local:admin");
            return;
        }
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        if (left != null) {
            configs.addAll((List<Configuration>) left.get("configs")); // the previous version's stay in force
            return;
        }
        String address = property(context, "switchboard.admin.address", "127.0.0.1");
        String port = property(context, "switchboard.admin.port", "8081");

        Dictionary<String, Object> cluster = new Hashtable<>();
        cluster.put("endpoints", new String[] {NAME + "=local:" + AdminApplication.NAME});
        cluster.put("policy", "round-robin");
        apply("io.switchboard.cluster", cluster);

        Dictionary<String, Object> frontend = new Hashtable<>();
        frontend.put("address", address);
        frontend.put("port", port);
        frontend.put("cluster", NAME);
        apply("io.switchboard.frontend", frontend);
        log.info("admin page on http://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port
                + "/ (frontend admin, cluster admin -> local:admin; switchboard.admin.port changes it)");
    }

    private void apply(String factoryPid, Dictionary<String, Object> props) throws Exception {
        Configuration c = configAdmin.getFactoryConfiguration(factoryPid, NAME, "?");
        c.update(props);
        configs.add(c);
    }

    private static String property(BundleContext context, String key, String dflt) {
        String v = context.getProperty(key);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    @Deactivate
    void deactivate() {
        if (!configs.isEmpty() && context != null && !Handover.frameworkStopping(context)) {
            List<Configuration> c = List.copyOf(configs);
            Handover.leave(context, HANDOVER_KEY, Map.of("configs", c), 10_000, () -> delete(c));
            return;
        }
        delete(configs);
    }

    private static void delete(List<Configuration> configs) {
        for (Configuration c : configs) {
            try {
                c.delete();
            } catch (Exception | LinkageError e) {
                // Config Admin is going away too.
            }
        }
    }
}
