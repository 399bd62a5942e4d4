package io.switchboard.control.impl.health;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
    /** Raw figures of a JSON report; NaN or -1 when the agent sent none. */
    private final double cpuPercent;
    private final long clients;
    private final double requestsPerSecond;
    private final double averageExecutionMillis;

    private AgentReport(String line, int percent, int maxconn, State state) {
        this(line, percent, maxconn, state, Double.NaN, -1, Double.NaN, Double.NaN);
    }

    private AgentReport(String line, int percent, int maxconn, State state, double cpuPercent, long clients,
                        double requestsPerSecond, double averageExecutionMillis) {
        this.line = line;
        this.percent = percent;
        this.maxconn = maxconn;
        this.state = state;
        this.cpuPercent = cpuPercent;
        this.clients = clients;
        this.requestsPerSecond = requestsPerSecond;
        this.averageExecutionMillis = averageExecutionMillis;
    }

    /**
     * Parses the one-line JSON report of Switchboard's agent: {@code capacityPercent} and
     * {@code state} as in the text protocol, plus the raw figures {@code cpuPercent},
     * {@code clients}, {@code requestsPerSecond} and {@code averageExecutionMillis} when the agent
     * measured them. Unknown fields are ignored (a newer agent may send more); a value of the wrong
     * type, or a capacity outside 0..100, makes the whole report garbage.
     */
    public static AgentReport parseJson(String line) {
        String text = line.trim();
        if (text.length() > MAX_JSON) {
            throw new IllegalArgumentException("report longer than " + MAX_JSON + " characters");
        }
        int percent = -1;
        State state = State.NONE;
        double cpu = Double.NaN;
        long clients = -1;
        double rps = Double.NaN;
        double exec = Double.NaN;
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw new IllegalArgumentException("not a JSON object");
                }
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "capacityPercent":
                        percent = (int) number(p, v, name, 0, 100);
                        break;
                    case "state":
                        if (v != JsonToken.VALUE_STRING) {
                            throw new IllegalArgumentException("state is not a string");
                        }
                        state = parse(p.getText()).state();
                        break;
                    case "cpuPercent":
                        cpu = number(p, v, name, 0, 100);
                        break;
                    case "clients":
                        clients = (long) number(p, v, name, 0, Long.MAX_VALUE);
                        break;
                    case "requestsPerSecond":
                        rps = number(p, v, name, 0, Double.MAX_VALUE);
                        break;
                    case "averageExecutionMillis":
                        exec = number(p, v, name, 0, Double.MAX_VALUE);
                        break;
                    default:
                        p.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + printable(String.valueOf(e.getOriginalMessage())));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + printable(String.valueOf(e.getMessage())));
        }
        String summary = (percent >= 0 ? percent + "%" : "") + (state != State.NONE ? " " + state.name().toLowerCase(Locale.ROOT) : "");
        return new AgentReport(summary.isBlank() ? "json" : summary.trim(), percent, -1, state, cpu, clients, rps, exec);
    }

    private static double number(JsonParser p, JsonToken v, String name, double min, double max) throws java.io.IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new IllegalArgumentException(name + " is not a number");
        }
        double d = p.getDoubleValue();
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException(name + " " + d + " is out of range");
        }
        return d;
    }

    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** Longest JSON report taken. */
    static final int MAX_JSON = 4096;

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
    public double cpuPercent() { return cpuPercent; }
    public long clients() { return clients; }
    public double requestsPerSecond() { return requestsPerSecond; }
    public double averageExecutionMillis() { return averageExecutionMillis; }

    @Override
    public String toString() {
        return line;
    }
}
