package io.switchboard.control.impl.route;

import io.switchboard.control.impl.config.Deletion;
import io.switchboard.control.impl.config.Refusals;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
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
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One routing rule per {@code io.switchboard.route} factory configuration. An invalid configuration
 * is rejected with one log line; the rule in force before keeps routing.
 */
@Component(configurationPid = RouteSettings.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = RouteConfiguration.Config.class, factory = true)
public class RouteConfiguration {

    @ObjectClassDefinition(name = "Switchboard route", description = "Sends matching HTTP requests to a cluster.")
    @interface Config {
        @AttributeDefinition(description = "Rule name; defaults to the configuration's name (file io.switchboard.route-NAME.cfg).", required = false)
        String name();

        @AttributeDefinition(description = "Rules are tried by order, lowest first; the first that matches wins.")
        int order() default 100;

        @AttributeDefinition(description = "Frontends the rule applies to (none: all).", required = false)
        String[] frontends();

        @AttributeDefinition(description = "Conditions, all of which must hold: path=/api, host=*.example.com, method=GET, header:NAME=v, cookie:NAME=v, query:NAME=v, client=10.0.0.0/8, device=mobile|desktop|bot.", required = false)
        String[] match();

        @AttributeDefinition(description = "Cluster that matching requests go to.")
        String cluster();
    }

    @Reference
    private RouteManager routes;

    @Reference
    private Refusals refusals;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private ConfiguredRoute applied;
    /** The file, once read: a refused file is forgotten when it goes. */
    private String source;

    @Activate
    @Modified
    void apply(Map<String, Object> props) {
        ConfigReader reader = new ConfigReader(props, RouteSettings.KEYS);
        source = reader.source();
        ConfiguredRoute rule;
        try {
            rule = RouteSettings.parse(reader);
        } catch (ConfigProblem p) {
            log.error(reader.rejected(p, applied == null ? "route not added" : "route " + applied.name() + " keeps its previous configuration"));
            return;
        }
        if (applied != null && !applied.name().equals(rule.name())) {
            remove(applied, "renamed to " + rule.name());
            applied = null;
        }
        if (!rule.equals(applied)) {
            String conflict = routes.put(rule);
            if (conflict != null) {
                refusals.refused(source, "route " + rule.name(), routes.definedBy(rule.name()));
                log.error("config rejected: " + source + ": " + conflict + "; this file stays rejected until it is changed or touched,"
                        + " even once the other one goes");
                return;
            }
            refusals.cleared(source);
            log.info("route " + rule + " (from " + source + ")");
            applied = rule;
        }
    }

    /** Only a deleted configuration removes its rule; a bundle update leaves the table as it is. */
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

    private void remove(ConfiguredRoute rule, String why) {
        routes.remove(rule.name(), rule.source);
        String waiting = refusals.released(rule.source, "route " + rule.name());
        log.info("route " + rule.name() + " removed (" + why + ")" + (waiting == null ? "" : "; " + waiting));
    }
}
