package io.switchboard.control.impl.config;

import io.switchboard.api.dispatch.ListenerHold;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One frontend per {@code io.switchboard.frontend} factory configuration. An invalid configuration
 * is rejected with one log line; a valid frontend that was running keeps running unchanged.
 */
@Component(configurationPid = FrontendSettings.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = FrontendConfiguration.Config.class, factory = true)
public class FrontendConfiguration {

    @ObjectClassDefinition(name = "Switchboard frontend", description = "A listening address and the cluster it serves.")
    @interface Config {
        @AttributeDefinition(description = "Frontend name; defaults to the configuration's name (file io.switchboard.frontend-NAME.cfg).", required = false)
        String name();

        @AttributeDefinition(description = "http (request by request), tcp (byte relay) or udp (datagram flows).")
        String protocol() default "http";

        @AttributeDefinition(description = "IP address to bind.")
        String address() default "0.0.0.0";

        @AttributeDefinition(description = "Port to bind (0 = any free port).", min = "0", max = "65535")
        int port();

        @AttributeDefinition(description = "Name of the cluster requests are balanced over.")
        String cluster();

        @AttributeDefinition(description = "Virtual services on this socket: ip:port[=cluster], comma separated. Connections to any other destination get a TCP reset (UDP: dropped). Empty: every destination is served.", required = false)
        String[] services();
    }

    @Reference
    private FrontendService frontends;

    @Reference
    private Refusals refusals;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    /**
     * The dispatcher cluster's hold: while this dispatcher joins its group, a new frontend waits for
     * the group's table before it listens (a frontend already listening is changed at once).
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ListenerHold hold;
    /** The configuration waiting for the hold's release; null when none waits. */
    private Map<String, Object> waiting;
    private boolean active = true;

    /** What this file made the transport run. */
    private FrontendSpec applied;
    /** The last spec the transport refused because another file held its name or port. */
    private FrontendSpec refused;
    /** The file, once read: a refused file is forgotten when it goes. */
    private String source;

    @Activate
    @Modified
    synchronized void apply(Map<String, Object> props) {
        ListenerHold h = hold;
        if (applied == null && h != null && h.held()) {
            boolean first = waiting == null;
            waiting = props;
            if (first) {
                log.info("frontend of " + new ConfigReader(props, FrontendSettings.KEYS).source()
                        + " waits for the dispatcher group's table before it listens");
                h.whenReleased(this::released);
            }
            return;
        }
        waiting = null;
        ConfigReader reader = new ConfigReader(props, FrontendSettings.KEYS);
        source = reader.source();
        FrontendSpec spec;
        try {
            spec = FrontendSettings.parse(props, reader);
        } catch (ConfigProblem p) {
            log.error("config rejected: " + source + ": " + p.getMessage()
                    + (applied == null ? "; frontend not started" : "; frontend " + applied.name() + " keeps its previous configuration"));
            return;
        }
        if (applied != null && !applied.name().equals(spec.name())) {
            remove(applied, "renamed to " + spec.name());
            applied = null;
        }
        if (!spec.equals(applied)) {
            frontends.apply(spec);
            String[] holder = holder(spec);
            if (holder != null) {
                // The transport said why in the log; it stays so even once the holder goes.
                refusals.refused(source, holder[0], holder[1]);
                refused = spec;
                return;
            }
            log.info("frontend " + spec + " (from " + source + ")");
            refusals.cleared(source);
            refused = null;
            applied = spec;
        }
    }

    /**
     * Only a deleted configuration removes its frontend. When this bundle (or the transport) stops,
     * for an update say, the frontend keeps serving, and the next version applies the same
     * configuration to it again, which changes nothing.
     */
    private synchronized void released() {
        if (active && waiting != null) {
            apply(waiting);
        }
    }

    @Deactivate
    synchronized void deactivate(BundleContext context, int reason) {
        active = false;
        waiting = null;
        if (Deletion.deleted(reason, context)) {
            if (applied != null) {
                remove(applied, source + " is gone");
            }
            if (refused != null) {
                removeIfMine(refused); // the refused frontend's status entry
            }
            refusals.cleared(source);
        }
        applied = null;
        refused = null;
    }

    private void remove(FrontendSpec spec, String why) {
        if (removeIfMine(spec)) {
            String waiting = refusals.released(spec.source(), "frontend " + spec.name());
            String waitingForPort = spec.port() == 0 ? null : refusals.released(spec.source(), "port " + spec.port());
            log.info("frontend " + spec.name() + " removed (" + why + ")" + (waiting == null ? "" : "; " + waiting)
                    + (waitingForPort == null ? "" : "; " + waitingForPort));
        }
    }

    /** Removes the frontend unless another file defines it now; whether it did. */
    private boolean removeIfMine(FrontendSpec spec) {
        for (FrontendStatus s : frontends.frontends()) {
            if (s.spec().name().equals(spec.name()) && ConfigReader.sameConfiguration(s.spec().source(), spec.source())) {
                frontends.remove(spec.name());
                return true;
            }
        }
        return false;
    }

    /**
     * What the transport refused the spec because another file holds it, and that file: the name
     * (another file's frontend has it), or the port (the transport's error names the frontend on
     * it); null when the spec was taken, or refused for a reason of its own.
     */
    private String[] holder(FrontendSpec spec) {
        FrontendStatus own = null;
        List<FrontendStatus> all = frontends.frontends();
        for (FrontendStatus s : all) {
            if (s.spec().name().equals(spec.name())) {
                if (!ConfigReader.sameConfiguration(s.spec().source(), spec.source())) {
                    return new String[] {"frontend " + spec.name(), s.spec().source()};
                }
                own = s;
            }
        }
        if (own == null || own.error() == null || !own.error().startsWith("key 'port'")) {
            return null;
        }
        for (FrontendStatus s : all) {
            if (s.listening() && s.spec().port() == spec.port() && own.error().contains("frontend " + s.spec().name() + " ")) {
                return new String[] {"port " + spec.port(), s.spec().source()};
            }
        }
        return null;
    }
}
