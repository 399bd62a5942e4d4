package io.switchboard.api.switching;

import io.switchboard.api.flow.Message;
import io.switchboard.api.runtime.Protocol;
import java.net.InetSocketAddress;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The first stage after framing on every event loop: new flows and their messages go to the
 * default handler; messages of a reassigned flow go straight to the handler that owns it. Routing
 * a message of an established flow to an inline handler crosses no thread and takes no lock.
 */
@ProviderType
public interface IntelligentSwitch {
    /** A new flow (a connection accepted, a first datagram from a client). */
    TrackedFlow open(String frontend, Protocol protocol, String cluster, InetSocketAddress client, InetSocketAddress local);

    /** Hands one message to the flow's owner. Called on the flow's event loop. */
    void route(TrackedFlow flow, Message message);

    /** The flow ended; its reassignment, if any, is released. */
    void close(TrackedFlow flow);

    /** Flows open now (a copy). */
    List<TrackedFlow> flows();

    /** Counters of the switch. */
    SwitchStats stats();

    /** The handler spawner's latest decisions (threads of ring handlers), newest last. */
    List<String> handlerDecisions();
}
