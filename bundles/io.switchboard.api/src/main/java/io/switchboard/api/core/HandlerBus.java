package io.switchboard.api.core;

import org.osgi.annotation.versioning.ProviderType;

/** A ring carrying work from the event loops to a handler's own processor threads. */
@ProviderType
public interface HandlerBus {
    /** Publishes a task; tasks with the same key run on the same thread in order. False when closed. */
    boolean publish(long key, Runnable task);

    /** Tasks published so far. */
    long published();

    int threads();

    /** Tasks published but not yet run by every thread: how far the handler is behind. */
    long backlog();

    /** Runs what was published, then stops the threads. */
    void close();
}
