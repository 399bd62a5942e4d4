package io.switchboard.control.impl.config;

import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
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

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private FrontendSpec applied;

    @Activate
    @Modified
    void apply(Map<String, Object> props) {
        ConfigReader reader = new ConfigReader(props, FrontendSettings.KEYS);
        FrontendSpec spec;
        try {
            spec = FrontendSettings.parse(props, reader);
        } catch (ConfigProblem p) {
            log.error("config rejected: " + reader.source() + ": " + p.getMessage()
                    + (applied == null ? "; frontend not started" : "; frontend " + applied.name() + " keeps its previous configuration"));
            return;
        }
        if (applied != null && !applied.name().equals(spec.name())) {
            removeIfMine(applied);
        }
        if (!spec.equals(applied)) {
            log.info("frontend " + spec + " (from " + reader.source() + ")");
            frontends.apply(spec);
            applied = spec;
        }
    }

    /**
     * Only a deleted configuration removes its frontend. When this bundle (or the transport) stops,
     * for an update say, the frontend keeps serving, and the next version applies the same
     * configuration to it again, which changes nothing.
     */
    @Deactivate
    void deactivate(int reason) {
        if (applied != null && Deletion.deleted(reason)) {
            removeIfMine(applied);
        }
        applied = null;
    }

    /** Removes the frontend unless another file defines it now. */
    private void removeIfMine(FrontendSpec spec) {
        for (FrontendStatus s : frontends.frontends()) {
            if (s.spec().name().equals(spec.name()) && java.util.Objects.equals(s.spec().source(), spec.source())) {
                frontends.remove(spec.name());
            }
        }
    }
}
