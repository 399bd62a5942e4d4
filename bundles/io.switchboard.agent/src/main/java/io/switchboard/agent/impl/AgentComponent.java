package io.switchboard.agent.impl;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The agent as a bundle: runs while the configuration {@code io.switchboard.agent} exists. Its
 * properties are the command-line options in camel case ({@code servicePort} is
 * {@code --service-port}) and are checked by the same code. A changed configuration restarts the
 * agent (deactivate, activate), which binds again. A bad configuration or a busy port is logged and
 * leaves the component active but idle: no thread, no socket.
 */
@Component(configurationPid = AgentComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
@Designate(ocd = AgentComponent.Config.class)
public class AgentComponent {
    static final String PID = "io.switchboard.agent";

    @ObjectClassDefinition(name = "Switchboard back-end agent",
            description = "Answers HAProxy agent-check probes (and JSON reports) about this host and one service.")
    @interface Config {
        @AttributeDefinition(description = "Local port of the watched service; its ESTABLISHED connections are its clients.")
        int servicePort();

        @AttributeDefinition(description = "Port the agent answers on.")
        int listen() default AgentOptions.DEFAULT_LISTEN;

        @AttributeDefinition(description = "Address the agent binds.")
        String bind() default AgentOptions.DEFAULT_BIND;

        @AttributeDefinition(description = "Milliseconds between samples (100..3600000).")
        int intervalMs() default AgentOptions.DEFAULT_INTERVAL;

        @AttributeDefinition(required = false, description = "Access log to tail for requests per second and"
                + " execution time (excludes statusUrl).")
        String accessLog();

        @AttributeDefinition(required = false, description = "Regex with one group: the execution time in a log"
                + " line. Default: the last field.")
        String timeRegex();

        @AttributeDefinition(required = false, description = "Unit of the logged execution time.",
                options = {@Option(value = "s", label = "seconds"), @Option(value = "ms", label = "milliseconds"),
                        @Option(value = "us", label = "microseconds")})
        String timeUnit() default "s";

        @AttributeDefinition(required = false, description = "nginx stub_status URL (excludes accessLog).")
        String statusUrl();

        @AttributeDefinition(required = false, description = "Operator override file, e.g. holding 'drain' or '25%'.")
        String stateFile();

        @AttributeDefinition(description = "Clients at which the capacity reaches its floor; 0 for no limit.")
        int maxClients() default 0;

        @AttributeDefinition(description = "Milliseconds a request line is awaited before answering.")
        int readWindowMs() default AgentOptions.DEFAULT_READ_WINDOW;

        @AttributeDefinition(description = "Milliseconds a client has to take its answer.")
        int writeTimeoutMs() default AgentOptions.DEFAULT_WRITE_TIMEOUT;
    }

    private Agent agent;

    @Activate
    void activate(Map<String, Object> properties) {
        try {
            AgentOptions options = CommandLine.parse(arguments(properties));
            agent = Agent.start(options, Path.of("/proc"));
            Agent.LOG.log(Level.INFO, "agent listening on " + options.bind() + ":" + agent.address().getPort()
                    + ", watching service port "
                    + options.servicePort());
        } catch (UsageException e) {
            Agent.LOG.log(Level.ERROR, "configuration " + PID + " rejected: " + e.getMessage() + "; the agent is not running");
        } catch (IOException | RuntimeException e) {
            Agent.LOG.log(Level.ERROR, "agent cannot start: " + e + "; the agent is not running");
        }
    }

    @Deactivate
    void deactivate() {
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }

    /**
     * The command line a configuration stands for. Keys with a dot ({@code service.pid},
     * {@code component.name}, ...) belong to the framework; empty values mean "not set".
     */
    static List<String> arguments(Map<String, Object> properties) {
        List<String> args = new ArrayList<>();
        properties.forEach((key, value) -> {
            if (key.contains(".") || value == null) {
                return;
            }
            String text = value.getClass().isArray() && Array.getLength(value) == 1
                    ? String.valueOf(Array.get(value, 0)) : String.valueOf(value);
            if (!text.isBlank()) {
                args.add("--" + key.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT) + "=" + text.strip());
            }
        });
        return args;
    }
}
