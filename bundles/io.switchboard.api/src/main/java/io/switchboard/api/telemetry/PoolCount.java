package io.switchboard.api.telemetry;

import io.switchboard.api.Endpoint;

/** Back-end connections the platform has open to one endpoint now, over all event loops. */
public final class PoolCount {
    private final Endpoint endpoint;
    private final int open;
    private final int idle;

    public PoolCount(Endpoint endpoint, int open, int idle) {
        this.endpoint = endpoint;
        this.open = open;
        this.idle = idle;
    }

    public Endpoint endpoint() { return endpoint; }
    /** Open connections, idle or busy. */
    public int open() { return open; }
    /** Connections waiting in the pool for a request. */
    public int idle() { return idle; }
    /** Connections carrying an exchange (or still opening). */
    public int busy() { return Math.max(0, open - idle); }
}
