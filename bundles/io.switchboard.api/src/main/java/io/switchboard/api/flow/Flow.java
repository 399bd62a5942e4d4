package io.switchboard.api.flow;

import io.switchboard.api.RequestContext;
import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One flow as its handlers see it. Implemented by the platform; a handler may reassign the flow
 * from inside {@link FlowHandler#handle}, at any message, and a specialized handler may hand it back.
 */
@ProviderType
public interface Flow extends RequestContext {
    /** Unique within this dispatcher for its lifetime. */
    long id();

    /** Name of the protocol of the frontend the flow arrived on: {@code http}, {@code tcp}, {@code udp}, or a plugin's. */
    String protocol();

    /** The address the client reached: the virtual service. */
    InetSocketAddress localAddress();

    /** The cluster of the frontend the flow arrived on. */
    String cluster();

    /** Type of the handler that owns the flow now: {@value FlowHandler#DEFAULT_TYPE} or a specialized type. */
    String owner();

    /** Messages of this flow seen by the switch so far, including the current one. */
    long messages();

    /**
     * Sends the next messages of this flow (the current one included, when called from the default
     * handler) to the handler registered for {@code r.type()}, within {@code r}'s scope.
     *
     * @return false when no handler of that type is registered: the caller keeps the message
     */
    boolean reassign(Reassignment r);

    /**
     * Gives the flow back to the default handler: its next message goes there.
     *
     * @return false when the flow's reassignment does not allow it ({@link Reassignment.Scope#REST_OF_FLOW})
     */
    boolean handBack();
}
