package io.switchboard.control.impl.config;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.control.impl.cluster.ClusterManager;
import io.switchboard.control.impl.cluster.ClusterSpec;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Option;
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

        @AttributeDefinition(description = "Ids of endpoints reserved for premium requests.", required = false)
        String[] premium();

        @AttributeDefinition(description = "Conditions (all must hold) that make a request premium, e.g. cookie:tier=gold.", required = false)
        String[] premiumMatch();

        @AttributeDefinition(description = "When every premium endpoint is down: refuse (503) or spill to the others.")
        String premiumFallback() default "refuse";

        @AttributeDefinition(description = "Milliseconds to wait for a connection to an endpoint.", min = "1")
        int connectTimeoutMillis() default 5000;

        @AttributeDefinition(description = "Milliseconds from a request sent to the first byte of its response (then 504).", min = "1")
        int firstByteTimeoutMillis() default 30000;

        @AttributeDefinition(description = "Further endpoints an idempotent request is retried on when one fails before responding.", min = "0")
        int retries() default 2;

        @AttributeDefinition(description = "Failures in a row that take an endpoint out (0: never).", min = "0")
        int maxFails() default 3;

        @AttributeDefinition(description = "Seconds an endpoint stays out before it is tried again.", min = "1")
        int failTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Most connections one event loop opens to one endpoint (0: no limit); past it requests go to other endpoints, or get 503.", min = "0")
        int maxConnections() default 0;

        @AttributeDefinition(description = "Milliseconds a back-end connection may go without a byte once a response has begun (then the response is cut and the client connection closed) and while it is idle in the pool.", min = "1")
        int idleTimeoutMillis() default 60000;

        @AttributeDefinition(description = "PROXY protocol header each connection to an endpoint starts with, naming the client: off, v1 or v2. Such HTTP back-end connections are not shared between clients.",
                options = {@Option(value = "off"), @Option(value = "v1"), @Option(value = "v2")})
        String sendProxyProtocol() default "off";

        @AttributeDefinition(description = "TLS to the endpoints (tlsVerify is then required).")
        boolean tls() default false;

        @AttributeDefinition(description = "Server name sent (SNI) and checked in the certificate; default: the endpoint's host.", required = false)
        String tlsServerName();

        @AttributeDefinition(description = "ca: verify the endpoint's certificate against tlsCaFile; none: no check at all. No default: say which.",
                required = false, options = {@Option(value = "ca"), @Option(value = "none")})
        String tlsVerify();

        @AttributeDefinition(description = "PEM file of the CA certificates to trust (tlsVerify = ca), relative to the working directory.", required = false)
        String tlsCaFile();
    }

    @Reference
    private ClusterManager clusters;

    @Reference
    private Refusals refusals;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private ClusterSpec applied;
    /** The file, once read: a refused file is forgotten when it goes. */
    private String source;

    @Activate
    @Modified
    void apply(Map<String, Object> props) {
        ConfigReader reader = new ConfigReader(props, ClusterSettings.KEYS);
        source = reader.source();
        ClusterSpec spec;
        try {
            spec = ClusterSettings.parse(props, source);
        } catch (ConfigProblem p) {
            log.error("config rejected: " + source + ": " + p.getMessage()
                    + (applied == null ? "; cluster not created" : "; cluster " + applied.name() + " keeps its previous configuration"));
            return;
        }
        if (applied != null && !applied.name().equals(spec.name())) {
            remove(applied, "renamed to " + spec.name());
            applied = null;
        }
        if (!spec.equals(applied)) {
            String conflict = clusters.put(spec);
            if (conflict != null) {
                refusals.refused(source, "cluster " + spec.name(), clusters.definedBy(spec.name()));
                log.error("config rejected: " + source + ": " + conflict + "; this file stays rejected until it is changed or touched,"
                        + " even once the other one goes");
                return;
            }
            refusals.cleared(source);
            log.info("cluster " + spec.name() + " policy=" + spec.policy() + " endpoints=" + spec.endpoints()
                    + " (from " + source + ")");
            applied = spec;
        }
    }

    /** Only a deleted configuration removes its cluster (see {@link FrontendConfiguration#deactivate}). */
    @Deactivate
    void deactivate(BundleContext context, int reason) {
        if (Deletion.deleted(reason, context)) {
            if (applied != null) {
                remove(applied, source + " is gone");
            }
            refusals.cleared(source);
        }
        applied = null;
    }

    private void remove(ClusterSpec spec, String why) {
        clusters.remove(spec.name(), spec.source());
        String waiting = refusals.released(spec.source(), "cluster " + spec.name());
        log.info("cluster " + spec.name() + " removed (" + why + ")" + (waiting == null ? "" : "; " + waiting));
    }
}
