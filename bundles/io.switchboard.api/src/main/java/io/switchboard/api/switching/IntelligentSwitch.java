package io.switchboard.api.switching;

import io.switchboard.api.flow.Message;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The first stage after framing on every event loop: messages of a flow nobody claimed go to the
 * default handler; messages of a reassigned flow go straight to the handler that owns it. Routing a
 * message of an established flow to an inline handler crosses no thread and takes no lock. The
 * switch keeps no per-flow state of its own: the reassignment is tracked in the flow.
 */
@ProviderType
public interface IntelligentSwitch {
    /** Hands one message to the flow's owner. Called on the flow's event loop. */
    void route(TrackedFlow flow, Message message);

    /** Whether a handler of the type is registered, so that a flow may be reassigned to it. */
    boolean serves(String type);

    /** Counters of the switch. */
    SwitchStats stats();

    /** The handler spawner's latest decisions (threads of ring handlers), newest last. */
    List<String> handlerDecisions();

    /**
     * Handlers the loop watchdog caught blocking an event loop, each with what it saw; their new
     * messages take the default path until they recover. Empty when none.
     */
    List<String> blockedHandlers();
}
