package io.switchboard.agent.impl;

import java.util.Locale;

/**
 * The state word of an agent-check answer, as HAProxy reads it. {@code up} is what the agent says
 * of itself; the others come from the operator's state file.
 */
enum AgentState {
    /** Written {@code ready up}: "ready" lifts a drain or maint an earlier answer set, "up" an earlier down. */
    UP("ready up"),
    DOWN("down"),
    READY("ready"),
    DRAIN("drain"),
    MAINT("maint");

    private final String wire;

    AgentState(String wire) {
        this.wire = wire;
    }

    /** The word(s) on the agent-check line. */
    String wire() {
        return wire;
    }

    /** The word in the JSON report and in the state file. */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state a word names, or null if it names none. */
    static AgentState of(String word) {
        for (AgentState s : values()) {
            if (s.word().equalsIgnoreCase(word)) {
                return s;
            }
        }
        return null;
    }
}
