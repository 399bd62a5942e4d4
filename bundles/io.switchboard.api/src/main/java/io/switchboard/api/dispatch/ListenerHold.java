package io.switchboard.api.dispatch;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Holds new listeners closed while this dispatcher joins its group and takes the group's dispatch
 * table, so that it serves no client before it knows the other dispatchers' entries. Registered by
 * the dispatcher cluster; the configuration opens a frontend's listener only once it is released.
 */
@ProviderType
public interface ListenerHold {
    /** Whether listeners must wait now. */
    boolean held();

    /** Runs the action once the hold is released: at once, on this thread, when it is not held. */
    void whenReleased(Runnable action);
}
