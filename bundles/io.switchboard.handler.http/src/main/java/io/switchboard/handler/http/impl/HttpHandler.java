package io.switchboard.handler.http.impl;

import io.switchboard.api.RequestContext;
import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import io.switchboard.api.routing.RouteRule;
import io.switchboard.api.routing.RouteTable;
import io.switchboard.support.lifecycle.LastKnownGood;
import java.net.InetSocketAddress;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The specialized handler of HTTP requests. The default handler hands it each request that no
 * classifier claims — one request at a time, without reassigning the connection, so that a later
 * request on the same connection can still be classified — and it routes each request on its own:
 * the first routing rule whose conditions match picks the cluster (application group), else the
 * frontend's cluster serves it. The request is then proxied on a pooled keep-alive back-end
 * connection of the same event loop, its response streamed back in order.
 */
@Component(property = FlowHandler.TYPE + "=http")
public class HttpHandler implements FlowHandler {

    private final LastKnownGood<RouteTable> routes = new LastKnownGood<>("io.switchboard.handler.http.handler.routes");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindRoutes(RouteTable t) {
        routes.bind(t);
    }

    void unbindRoutes(RouteTable t) {
        // Kept: while the control plane is being updated the last rules known good keep routing.
    }

    @Activate
    void activate(BundleContext context) {
        routes.takeOver(context);
    }

    @Deactivate
    void deactivate(BundleContext context) {
        routes.leave(context);
    }

    /** A handler outside a framework (tests). */
    public static HttpHandler with(RouteTable routes) {
        HttpHandler h = new HttpHandler();
        h.routes.bind(routes);
        return h;
    }

    @Override
    public void handle(Flow flow, Message message) {
        message.forward(cluster(flow, message));
    }

    /** The cluster of the first rule that matches the request, else the frontend's. */
    String cluster(Flow flow, Message message) {
        RouteTable table = routes.get();
        List<RouteRule> rules = table == null ? List.of() : table.rules();
        if (!rules.isEmpty()) {
            RequestContext request = new Request(flow, message);
            for (RouteRule rule : rules) {
                if (rule.matches(request)) {
                    return rule.cluster();
                }
            }
        }
        return flow.cluster();
    }

    /** The request as rules see it: the flow's frontend and client, the message's attributes. */
    private static final class Request implements RequestContext {
        private final Flow flow;
        private final Message message;

        Request(Flow flow, Message message) {
            this.flow = flow;
            this.message = message;
        }

        @Override public String frontend() { return flow.frontend(); }
        @Override public InetSocketAddress clientAddress() { return flow.clientAddress(); }
        @Override public String attribute(String name) { return message.attribute(name); }
    }
}
