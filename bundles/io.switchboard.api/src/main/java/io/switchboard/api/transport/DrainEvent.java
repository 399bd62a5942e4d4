package io.switchboard.api.transport;

import io.netty.util.AttributeKey;

/**
 * Fired down a connection's pipeline (as a user event) when the connection must finish and close:
 * the protocol code that serves it, its frontend's settings, or its event loop is being replaced.
 * A protocol finishes the work in progress, tells its peer (HTTP: {@code Connection: close} on the
 * next response), and closes once idle; one that has no natural end (a byte relay) may ignore it.
 * The transport closes whatever is still open at the drain deadline and counts it.
 */
public final class DrainEvent {
    /**
     * The code or settings serving the connection were replaced: finish, and close after the next
     * response; an idle connection is not closed under its client (it may be sending a request right
     * now), but at its idle timeout or at the drain deadline.
     */
    public static final DrainEvent DRAIN = new DrainEvent(false);

    /** The frontend goes away or the platform stops: finish the work in progress; an idle connection closes now. */
    public static final DrainEvent STOP = new DrainEvent(true);

    /**
     * Channel attribute a protocol keeps up to date once its connection drains: true while work is
     * in progress, false while the connection is idle. A connection still busy at the deadline is
     * counted as cut short; one that never says is taken as busy.
     */
    public static final AttributeKey<Boolean> BUSY = AttributeKey.valueOf("switchboard.drain.busy");

    /**
     * Channel attribute a protocol sets (at accept) on a connection with no request boundary to
     * finish at, such as a byte relay: when its code or settings are replaced ({@link #DRAIN}) it
     * runs on, on the code that opened it, until either side closes it, and the drain does not wait
     * for it or close it at the deadline. {@link #STOP}, and the retirement of its event loop, still
     * close it at the deadline.
     */
    public static final AttributeKey<Boolean> OPEN_ENDED = AttributeKey.valueOf("switchboard.drain.openEnded");

    private final boolean closeIdleNow;

    private DrainEvent(boolean closeIdleNow) {
        this.closeIdleNow = closeIdleNow;
    }

    /** Whether an idle connection closes at once ({@link #STOP}) rather than after its next response ({@link #DRAIN}). */
    public boolean closeIdleNow() {
        return closeIdleNow;
    }

    @Override
    public String toString() {
        return closeIdleNow ? "STOP" : "DRAIN";
    }
}
