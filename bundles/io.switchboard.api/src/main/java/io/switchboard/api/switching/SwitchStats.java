package io.switchboard.api.switching;

import java.util.Map;

/** What the switch has done since it started. */
public final class SwitchStats {
    private final long messages;
    private final long reassignments;
    private final long fallbacks;
    private final long handlerFailures;
    private final Map<String, Long> messagesByHandler;

    public SwitchStats(long messages, long reassignments, long fallbacks, long handlerFailures,
                       Map<String, Long> messagesByHandler) {
        this.messages = messages;
        this.reassignments = reassignments;
        this.fallbacks = fallbacks;
        this.handlerFailures = handlerFailures;
        this.messagesByHandler = Map.copyOf(messagesByHandler);
    }

    public long messages() { return messages; }
    /** Flows (or parts of flows) reassigned to a specialized handler. */
    public long reassignments() { return reassignments; }
    /** Reassigned flows that went back to the default handler because their handler went away or blocked. */
    public long fallbacks() { return fallbacks; }
    /** Messages whose handler threw. */
    public long handlerFailures() { return handlerFailures; }
    /** Messages delivered, by handler type. */
    public Map<String, Long> messagesByHandler() { return messagesByHandler; }
}
