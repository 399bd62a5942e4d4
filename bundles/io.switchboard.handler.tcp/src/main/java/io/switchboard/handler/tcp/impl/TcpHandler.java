package io.switchboard.handler.tcp.impl;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import org.osgi.service.component.annotations.Component;

/**
 * The specialized handler of TCP flows. The default handler reassigns every TCP flow that no
 * classifier claims to it for the rest of the flow; it sends the flow's first message to the flow's
 * cluster, and from then on the transport relays the connection's bytes both ways directly, without
 * passing through the switch again.
 */
@Component(property = FlowHandler.TYPE + "=tcp")
public class TcpHandler implements FlowHandler {
    @Override
    public void handle(Flow flow, Message message) {
        String bySni = message instanceof TcpMessage ? ((TcpMessage) message).sniCluster() : null;
        message.forward(bySni != null ? bySni : flow.cluster());
    }
}
