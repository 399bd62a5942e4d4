package io.switchboard.api.runtime;

/**
 * The connection table's size and overflow, at one moment. The table holds every live flow (TCP or
 * HTTP connection, UDP flow) up to its bound; a flow opened while it is full is served all the same,
 * only not listed, and counted as untracked.
 */
public final class ConnectionTableStats {
    private final long tracked;
    private final long bound;
    private final long untrackedOpen;
    private final long untracked;

    public ConnectionTableStats(long tracked, long bound, long untrackedOpen, long untracked) {
        this.tracked = tracked;
        this.bound = bound;
        this.untrackedOpen = untrackedOpen;
        this.untracked = untracked;
    }

    /** Live flows in the table now. */
    public long tracked() { return tracked; }
    /** The most flows the table holds ({@code connectionTableSize}). */
    public long bound() { return bound; }
    /** Live flows left out of the table because it was full when they opened. */
    public long untrackedOpen() { return untrackedOpen; }
    /** Flows left out of the table since the platform started (the overflow counter). */
    public long untracked() { return untracked; }

    @Override
    public String toString() {
        return tracked + " tracked of at most " + bound + ", " + untrackedOpen + " open untracked, " + untracked + " untracked since start";
    }
}
