package io.switchboard.api.runtime;

import io.switchboard.api.switching.TrackedFlow;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The transport's frontends. Configuration applies specs; operators read status. Every change is
 * made without dropping a connection: a frontend that moves to another address binds the new one
 * before it lets the old one go, and keeps the old one when the new one cannot be bound.
 */
@ProviderType
public interface FrontendService {
    /**
     * Starts the frontend, or changes it in place. A frontend whose address did not change keeps its
     * socket; one that moves keeps serving on the old address when the new one cannot be bound.
     * Never throws for a bind failure or a bad protocol option: the failure is logged and shown in
     * the status.
     */
    void apply(FrontendSpec spec);

    /** Stops listening on the frontend's address; its connections finish within the drain deadline. */
    void remove(String name);

    List<FrontendStatus> frontends();

    /**
     * Every live flow of every frontend that the connection table holds (a weakly consistent snapshot,
     * in id order): all of them unless the table is full, see {@link #connectionTable()}.
     */
    List<TrackedFlow> flows();

    /** The connection table's bound and counters. */
    ConnectionTableStats connectionTable();

    /** The latest drains of old connections (after an update or a change), newest last. */
    List<DrainRecord> drains();
}
