package io.switchboard.api.core;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/** A ring carrying work from the event loops to a handler's own processor threads. */
@ProviderType
public interface HandlerBus {
    /**
     * Publishes a task; tasks with the same key run on the same thread in order. False when the ring
     * is full, or when the bus is closed and has no successor to pass the task to.
     */
    boolean publish(long key, Runnable task);

    /** Tasks published so far. */
    long published();

    int threads();

    /** Tasks published but not yet run by every thread: how far the handler is behind. */
    long backlog();

    /** Whether {@link #close()} has begun: the bus takes no new task of its own. */
    boolean closed();

    /** Completes once the bus is closed and everything published on it has run. */
    CompletionStage<Void> drained();

    /** Runs what was published, then stops the threads. */
    void close();
}
