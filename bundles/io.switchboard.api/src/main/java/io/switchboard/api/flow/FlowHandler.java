package io.switchboard.api.flow;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A handler of flows, registered as an OSGi service with the property {@value #TYPE} naming the
 * request type it serves. The default handler has type {@value #DEFAULT_TYPE}. A handler runs on
 * the flow's event loop (inline: no thread hop, no lock) unless it declares {@value #THREADS} &gt; 0,
 * in which case the switch hands its messages over a ring to that many processor threads of its own
 * (messages of one flow always to the same thread, in order).
 */
@ConsumerType
public interface FlowHandler {
    /** Service property: the request type this handler serves. */
    String TYPE = "switchboard.handler.type";
    /** Service property: processor threads of its own (0 or absent = inline on the event loop). */
    String THREADS = "switchboard.handler.threads";
    /** Type of the default handler. */
    String DEFAULT_TYPE = "default";

    /**
     * Handles one message of a flow this handler owns. It must forward or reply, now or later; an
     * exception closes the flow (HTTP: 500) and is counted, other flows are not affected.
     */
    void handle(Flow flow, Message message) throws Exception;
}
