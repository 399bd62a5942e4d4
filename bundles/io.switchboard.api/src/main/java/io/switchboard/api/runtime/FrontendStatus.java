package io.switchboard.api.runtime;

/** A frontend as it is now: its spec, whether it listens, and its counters. */
public final class FrontendStatus {
    private final FrontendSpec spec;
    private final int boundPort;
    private final String error;
    private final long activeConnections;
    private final long totalConnections;
    private final long requests;
    private final long refused;
    private final int acceptors;
    private final String servedBy;

    public FrontendStatus(FrontendSpec spec, int boundPort, String error, long activeConnections, long totalConnections,
                          long requests, long refused, int acceptors, String servedBy) {
        this.spec = spec;
        this.boundPort = boundPort;
        this.error = error;
        this.activeConnections = activeConnections;
        this.totalConnections = totalConnections;
        this.requests = requests;
        this.refused = refused;
        this.acceptors = acceptors;
        this.servedBy = servedBy;
    }

    public FrontendSpec spec() { return spec; }
    /** The port actually bound, or -1 when the frontend does not listen. */
    public int boundPort() { return boundPort; }
    /** Why the frontend does not listen (or keeps an older configuration), or null. */
    public String error() { return error; }
    public boolean listening() { return boundPort > 0; }
    public long activeConnections() { return activeConnections; }
    public long totalConnections() { return totalConnections; }
    /** HTTP requests, or TCP connections relayed, or UDP flows opened. */
    public long requests() { return requests; }
    /** Connections reset and datagrams dropped because their destination is no virtual service. */
    public long refused() { return refused; }
    /** Event loops accepting on the frontend's address (parallel accept). */
    public int acceptors() { return acceptors; }
    /** The bundle (name and version) whose protocol serves new connections, or null while there is none. */
    public String servedBy() { return servedBy; }
}
