package io.switchboard.control.impl.health;

import java.util.Locale;

/**
 * One answer of a back-end agent in HAProxy's agent-check text protocol: one ASCII line of tokens
 * separated by spaces, commas or tabs: a capacity {@code 75%}, {@code maxconn:<n>}, and state words
 * ({@code up}, {@code ready}, {@code drain}, {@code maint}, {@code down}, {@code fail},
 * {@code stopped}). A line with anything else is garbage: the whole answer is ignored, as a
 * half-understood answer could steer traffic wrongly.
 */
public final class AgentReport {
    /** What the agent says of the server's state; NONE when it said nothing of it. */
    public enum State { NONE, UP, DRAIN, MAINT, DOWN }

    /** Longest line taken: the protocol's answers are a few tokens. */
    static final int MAX_LINE = 512;

    private final String line;
    private final int percent;
    private final int maxconn;
    private final State state;

    private AgentReport(String line, int percent, int maxconn, State state) {
        this.line = line;
        this.percent = percent;
        this.maxconn = maxconn;
        this.state = state;
    }

    /** Parses one answer line (without its line end). */
    public static AgentReport parse(String line) {
        String text = line.trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty answer");
        }
        if (text.length() > MAX_LINE) {
            throw new IllegalArgumentException("answer longer than " + MAX_LINE + " characters");
        }
        int percent = -1;
        int maxconn = -1;
        State state = State.NONE;
        for (String token : text.split("[ ,\t]+")) {
            String t = token.toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            if (t.endsWith("%")) {
                percent = number(t.substring(0, t.length() - 1), token);
                if (percent > 100) {
                    percent = 100; // HAProxy caps too: more than full capacity is full capacity
                }
            } else if (t.startsWith("maxconn:")) {
                maxconn = number(t.substring(8), token);
            } else {
                switch (t) {
                    case "up": case "ready": state = State.UP; break;
                    case "drain": state = State.DRAIN; break;
                    case "maint": state = State.MAINT; break;
                    case "down": case "fail": case "stopped": state = State.DOWN; break;
                    default: throw new IllegalArgumentException("unknown token '" + printable(token) + "'");
                }
            }
        }
        return new AgentReport(text, percent, maxconn, state);
    }

    private static int number(String digits, String token) {
        if (digits.isEmpty() || digits.length() > 7 || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + printable(token) + "' is not a whole number");
        }
        return Integer.parseInt(digits);
    }

    /** A token as it can be logged: control characters shown as '?', at most 40 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        return b.length() < s.length() ? b + "..." : b.toString();
    }

    /** The answer as the agent sent it (trimmed). */
    public String line() { return line; }
    /** Capacity 0..100; -1 when the answer carried none. */
    public int percent() { return percent; }
    /** -1 when the answer carried none. */
    public int maxconn() { return maxconn; }
    public State state() { return state; }

    @Override
    public String toString() {
        return line;
    }
}
