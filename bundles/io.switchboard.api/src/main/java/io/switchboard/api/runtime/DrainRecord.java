package io.switchboard.api.runtime;

/**
 * One drain: connections told to finish what they are doing and close, because the code or the
 * settings that serve them were replaced, or their frontend or event loop went away.
 */
public final class DrainRecord {
    private final String reason;
    private final long startedMillis;
    private final int connections;
    private final int finished;
    private final int forced;
    private final int leftRunning;
    private final long tookMillis;
    private final boolean done;

    public DrainRecord(String reason, long startedMillis, int connections, int finished, int forced, int leftRunning,
                       long tookMillis, boolean done) {
        this.reason = reason;
        this.startedMillis = startedMillis;
        this.connections = connections;
        this.finished = finished;
        this.forced = forced;
        this.leftRunning = leftRunning;
        this.tookMillis = tookMillis;
        this.done = done;
    }

    /** What was replaced, e.g. "frontend web: protocol http from io.switchboard.handler.http 0.1.0 replaced". */
    public String reason() { return reason; }
    /** When the drain began (milliseconds since the epoch). */
    public long startedMillis() { return startedMillis; }
    /** Connections asked to drain. */
    public int connections() { return connections; }
    /** Connections that finished their work and closed by themselves. */
    public int finished() { return finished; }
    /** Connections closed at the drain deadline with work still open. */
    public int forced() { return forced; }
    /**
     * Open-ended connections (byte relays) left running on the code that opened them: the drain
     * does not wait for them.
     */
    public int leftRunning() { return leftRunning; }
    /** How long the drain took, or has taken so far. */
    public long tookMillis() { return tookMillis; }
    /** Whether every connection the drain waits for has closed. */
    public boolean done() { return done; }

    @Override
    public String toString() {
        return reason + ": " + connections + " connections, " + finished + " finished, " + forced
                + " closed at the deadline, " + (leftRunning > 0 ? leftRunning + " left running on the code that opened them, " : "") + tookMillis + " ms" + (done ? "" : " (still draining)");
    }
}
