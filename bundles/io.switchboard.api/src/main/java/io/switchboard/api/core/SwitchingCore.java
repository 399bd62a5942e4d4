package io.switchboard.api.core;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Edits go into one ring with a single consumer, which applies them in order and publishes one new
 * {@link SwitchTable} per batch with a single volatile write. Readers never lock.
 */
@ProviderType
public interface SwitchingCore {
    /** Queues an edit; it is visible in {@link #table()} shortly after (never before the call). */
    void edit(TableEdit edit);

    /** The current snapshot. */
    SwitchTable table();

    /**
     * A ring to {@code threads} processor threads of their own. Tasks published with the same key run
     * on the same thread, in publication order.
     */
    HandlerBus newBus(String name, int threads);

    /**
     * A bus that takes over from {@code predecessor} (to change the number of threads, or to move a
     * handler to this core from an older one): it runs nothing until the predecessor has drained,
     * and, when the predecessor is a bus of this core, what is published on it once it is closed goes
     * to the new bus. Per-key order is kept across the change.
     */
    HandlerBus newBus(String name, int threads, HandlerBus predecessor);

    /** The core's rings now (the control ring, each open handler bus) with their free slots. */
    default java.util.List<RingStatus> rings() {
        return java.util.List.of();
    }
}
