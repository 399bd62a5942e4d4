package io.switchboard.agent.impl;

import java.util.function.Supplier;

/**
 * What the agent answers a connection: the agent-check line, or the JSON report when the client
 * asked for it with a first line {@code json}. Both are built from the latest sample and the
 * operator's override at the moment of the answer.
 */
final class Answers {
    private final Supplier<Sample> latest;
    private final StateFile stateFile;
    private final int maxClients;
    private final int servicePort;
    private final String host;
    private final String version;

    /** @param stateFile null without {@code --state-file} */
    Answers(Supplier<Sample> latest, StateFile stateFile, int maxClients, int servicePort, String host, String version) {
        this.latest = latest;
        this.stateFile = stateFile;
        this.maxClients = maxClients;
        this.servicePort = servicePort;
        this.host = host;
        this.version = version;
    }

    /** @param request what the client sent before the read window closed (possibly empty) */
    String answer(String request) {
        String first = request.lines().findFirst().orElse("").strip();
        return first.equalsIgnoreCase("json") ? json() : agentCheck();
    }

    String agentCheck() {
        return tokens(latest.get()).line();
    }

    String json() {
        Sample s = latest.get();
        AgentTokens t = tokens(s);
        return new JsonWriter()
                .field("host", host)
                .field("servicePort", servicePort)
                .field("clients", s.clients())
                .field("cpuPercent", s.cpuPercent())
                .field("memoryTotalBytes", s.memoryTotalBytes())
                .field("memoryAvailableBytes", s.memoryAvailableBytes())
                .field("requestsPerSecond", s.requestsPerSecond())
                .field("averageExecutionMillis", s.averageExecutionMillis())
                .field("capacityPercent", t.percent())
                .field("state", t.state().word())
                .field("sampledAtMillis", s.sampledAtMillis())
                .field("agentVersion", version)
                .end() + "\n";
    }

    private AgentTokens tokens(Sample s) {
        AgentTokens computed = new AgentTokens(CapacityRule.capacity(s, maxClients), null, AgentState.UP);
        return computed.overriddenBy(stateFile == null ? null : stateFile.current());
    }
}
