package io.switchboard.transport.impl;

import io.switchboard.support.config.ConfigReader;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The settings every frontend shares, from {@code io.switchboard.frontends.cfg}: applied to every
 * frontend at once and without restarting a listener (connections accepted from then on get them;
 * the ones before drain), or, when a value is bad, not at all.
 */
@Component(configurationPid = FrontendSettings.PID, service = {})
@Designate(ocd = FrontendDefaults.Config.class)
public class FrontendDefaults {

    @ObjectClassDefinition(name = "Switchboard frontends (shared settings)",
            description = "Besides these keys, any option of an installed protocol (e.g. via, maxUriBytes) sets its default for every frontend.")
    public @interface Config {
        @AttributeDefinition(description = "Event loops accepting on each TCP frontend at start (0 = all); the spawner changes it between its bounds.", min = "0")
        int acceptors() default 0;

        @AttributeDefinition(description = "Seconds connections get to finish when they drain: after an update or a change, when a frontend is removed, when the platform stops.", min = "0")
        int gracePeriodSeconds() default 10;

        @AttributeDefinition(description = "UDP frontends: seconds a client's flow may see no datagram either way before it is closed.", min = "1")
        int udpIdleSeconds() default 30;

        @AttributeDefinition(description = "UDP frontends: flows per frontend at most; datagrams from more clients are dropped and counted.", min = "1")
        int udpMaxFlows() default 65536;
    }

    @Reference
    private Transport transport;

    /** The component wired to a transport outside a framework (tests). */
    static FrontendDefaults of(Transport transport) {
        FrontendDefaults d = new FrontendDefaults();
        d.transport = transport;
        return d;
    }

    @Activate
    @Modified
    void apply(Map<String, Object> props) {
        String problem = transport.frontendSettings(props);
        if (problem != null) {
            transport.error("config rejected: " + new ConfigReader(props, FrontendSettings.KEYS).source() + ": " + problem
                    + "; every frontend keeps the settings it had");
        }
    }
}
