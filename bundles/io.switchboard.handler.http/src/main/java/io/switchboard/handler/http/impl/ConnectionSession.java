package io.switchboard.handler.http.impl;

import io.switchboard.api.RequestContext;
import io.switchboard.api.runtime.ClusterSnapshot;

/**
 * A client connection as one of a sticky client's connections (the dispatcher cluster's
 * {@code sessionEnd = close}): counted at the connection's first request to a sticky cluster,
 * released once, when the connection closes. An HTTP/1.1 connection has its own; an HTTP/2
 * connection has one that all its streams share, so streams that come and go on a connection that
 * stays do not end the client's session. Used on the connection's event loop only.
 */
final class ConnectionSession {
    private Runnable release;
    private boolean counted;
    private boolean ended;

    /** The request's connection counts for the request's client, unless it already counts for one. */
    void count(ClusterSnapshot cluster, RequestContext request) {
        if (!counted && !ended) {
            release = cluster.connectionOpened(request);
            counted = release != null;
        }
    }

    /** The connection closed: its count is given back (once), and nothing is counted for it any more. */
    void end() {
        ended = true;
        Runnable r = release;
        release = null;
        if (r != null) {
            r.run();
        }
    }
}
