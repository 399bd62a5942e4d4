package io.switchboard.control.impl.config;

import io.switchboard.control.impl.cluster.ClusterManager;
import io.switchboard.control.impl.cluster.ClusterSpec;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One cluster per {@code io.switchboard.cluster} factory configuration. An invalid configuration
 * is rejected with one log line; the cluster's previous snapshot keeps serving.
 */
@Component(configurationPid = ClusterSettings.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = ClusterConfiguration.Config.class, factory = true)
public class ClusterConfiguration {

    @ObjectClassDefinition(name = "Switchboard cluster", description = "A group of back-end endpoints and the policy that balances over them.")
    @interface Config {
        @AttributeDefinition(description = "Cluster name; defaults to the configuration's name (file io.switchboard.cluster-NAME.cfg).", required = false)
        String name();

        @AttributeDefinition(description = "Endpoints, comma separated: [id=]host:port[;weight=N].")
        String[] endpoints();

        @AttributeDefinition(description = "Name of the balancing policy (service property switchboard.policy.name).")
        String policy() default "round-robin";
    }

    @Reference
    private ClusterManager clusters;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private ClusterSpec applied;

    @Activate
    @Modified
    void apply(Map<String, Object> props) {
        ConfigReader reader = new ConfigReader(props, ClusterSettings.KEYS);
        ClusterSpec spec;
        try {
            spec = ClusterSettings.parse(props);
        } catch (ConfigProblem p) {
            log.error("config rejected: " + reader.source() + ": " + p.getMessage()
                    + (applied == null ? "; cluster not created" : "; cluster " + applied.name() + " keeps its previous configuration"));
            return;
        }
        if (applied != null && !applied.name().equals(spec.name())) {
            clusters.remove(applied.name());
        }
        if (!spec.equals(applied)) {
            log.info("cluster " + spec.name() + " policy=" + spec.policy() + " endpoints=" + spec.endpoints()
                    + " (from " + reader.source() + ")");
            clusters.put(spec);
            applied = spec;
        }
    }

    @Deactivate
    void deactivate() {
        if (applied != null) {
            clusters.remove(applied.name());
            applied = null;
        }
    }
}
