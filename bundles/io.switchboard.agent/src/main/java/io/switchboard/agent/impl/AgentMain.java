package io.switchboard.agent.impl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar io.switchboard.agent.jar --service-port 8080 --listen 5555}: runs the agent until
 * the process is stopped. Exit code 2 for bad options (with the usage), 1 if it cannot listen.
 */
public final class AgentMain {
    private AgentMain() {
    }

    public static void main(String[] argv) throws InterruptedException {
        // One line per log record on stderr, instead of java.util.logging's two.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        List<String> args = List.of(argv);
        if (CommandLine.wantsHelp(args)) {
            System.out.print(CommandLine.usage());
            return;
        }
        AgentOptions options;
        try {
            options = CommandLine.parse(args);
        } catch (UsageException e) {
            System.err.println("io.switchboard.agent: " + e.getMessage());
            System.err.print(CommandLine.usage());
            System.exit(2);
            return;
        }
        Agent agent;
        try {
            agent = Agent.start(options, Path.of("/proc"));
        } catch (IOException e) {
            System.err.println("io.switchboard.agent: cannot listen on " + options.bind() + ":" + options.listen()
                    + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "switchboard-agent-shutdown"));
        // Tests and scripts read the port from this line (useful with --listen 0).
        System.out.println("io.switchboard.agent " + Agent.version() + " listening on "
                + options.bind() + ":" + agent.address().getPort()
                + ", watching service port " + options.servicePort());
        System.out.flush();
        // The agent's threads are daemons: this thread keeps the process alive until it is stopped.
        Thread.currentThread().join();
    }
}
