package io.switchboard.handler.http.impl;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import org.osgi.service.component.annotations.Component;

/**
 * The specialized handler of HTTP requests. The default handler hands it each request that no
 * classifier claims — one request at a time, without reassigning the connection, so that a later
 * request on the same connection can still be classified — and it proxies the request to the flow's
 * cluster: on a pooled keep-alive back-end connection of the same event loop, response streamed
 * back in order.
 */
@Component(property = FlowHandler.TYPE + "=http")
public class HttpHandler implements FlowHandler {
    @Override
    public void handle(Flow flow, Message message) {
        message.forward(flow.cluster());
    }
}
