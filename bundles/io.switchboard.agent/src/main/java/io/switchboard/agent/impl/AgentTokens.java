package io.switchboard.agent.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of an agent-check answer: a capacity percentage, an optional {@code maxconn:N} and a
 * state word. In an operator's override any of them may be absent (null): only those present replace
 * the computed ones.
 */
record AgentTokens(Integer percent, Integer maxconn, AgentState state) {

    /**
     * Reads tokens written as HAProxy reads them: separated by spaces, tabs or commas, e.g.
     * {@code 40% drain} or {@code maxconn:10}.
     *
     * @throws IllegalArgumentException naming the token that is not one, or if the text has none
     */
    static AgentTokens parse(String text) {
        Integer percent = null;
        Integer maxconn = null;
        AgentState state = null;
        String[] tokens = text.strip().split("[\\s,]+");
        if (tokens.length == 0 || tokens[0].isEmpty()) {
            throw new IllegalArgumentException("no tokens");
        }
        for (String t : tokens) {
            if (t.endsWith("%") && percent == null) {
                percent = number(t.substring(0, t.length() - 1), 0, 100, t);
            } else if (t.regionMatches(true, 0, "maxconn:", 0, 8) && maxconn == null) {
                maxconn = number(t.substring(8), 0, Integer.MAX_VALUE, t);
            } else if (AgentState.of(t) != null && state == null) {
                state = AgentState.of(t);
            } else {
                throw new IllegalArgumentException("'" + t + "' is not a percentage (0%..100%), maxconn:N or one of"
                        + " up, down, ready, drain, maint (each at most once)");
            }
        }
        return new AgentTokens(percent, maxconn, state);
    }

    private static int number(String digits, int min, int max, String token) {
        if (!digits.matches("[0-9]{1,10}")) {
            throw new IllegalArgumentException("'" + token + "' does not hold a whole number");
        }
        long v = Long.parseLong(digits);
        if (v < min || v > max) {
            throw new IllegalArgumentException("'" + token + "' is out of range " + min + ".." + max);
        }
        return (int) v;
    }

    /** These tokens with each one that {@code override} names replaced by its value. */
    AgentTokens overriddenBy(AgentTokens override) {
        if (override == null) {
            return this;
        }
        return new AgentTokens(override.percent != null ? override.percent : percent,
                override.maxconn != null ? override.maxconn : maxconn,
                override.state != null ? override.state : state);
    }

    /** The agent-check answer line, ending in a newline, e.g. {@code 75% ready up\n}. */
    String line() {
        List<String> out = new ArrayList<>(3);
        if (percent != null) {
            out.add(percent + "%");
        }
        if (maxconn != null) {
            out.add("maxconn:" + maxconn);
        }
        if (state != null) {
            out.add(state.wire());
        }
        return String.join(" ", out) + "\n";
    }
}
