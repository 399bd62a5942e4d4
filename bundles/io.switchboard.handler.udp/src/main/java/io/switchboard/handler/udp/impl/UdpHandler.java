package io.switchboard.handler.udp.impl;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import org.osgi.service.component.annotations.Component;

/**
 * The handler of type {@code udp}: the default handler gives it every UDP flow nobody classified,
 * for the rest of the flow, and it sends the flow's datagrams on to the flow's cluster. Only the
 * first datagram of a flow usually reaches it: once the flow has its socket to an endpoint, the
 * transport sends the later ones straight there. It runs inline on the flow's event loop.
 */
@Component(property = FlowHandler.TYPE + "=udp")
public class UdpHandler implements FlowHandler {

    @Override
    public void handle(Flow flow, Message message) {
        message.forward(flow.cluster());
    }
}
