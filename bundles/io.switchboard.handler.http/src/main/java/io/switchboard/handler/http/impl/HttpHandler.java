package io.switchboard.handler.http.impl;

import io.switchboard.api.RequestContext;
import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import io.switchboard.api.routing.RouteRule;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.ConfigTable;
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
 * frontend's cluster serves it. The rules and the cluster's snapshot come from one configuration
 * table, read once per request (the control plane publishes rules and clusters together), so a
 * request is never routed by the rules of one version to the cluster of another. The request is
 * then proxied on a pooled keep-alive back-end connection of the same event loop, its response
 * streamed back in order.
 */
@Component(property = FlowHandler.TYPE + "=http")
public class HttpHandler implements FlowHandler {

    /** The control plane's directory, whose table routes: the last one known good while control is being updated. */
    private final LastKnownGood<ClusterDirectory> clusters = new LastKnownGood<>("io.switchboard.handler.http.handler.clusters");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindClusters(ClusterDirectory c) {
        clusters.bind(c);
    }

    void unbindClusters(ClusterDirectory c) {
        // Kept: while the control plane is being updated the last table known good keeps routing.
    }

    @Activate
    void activate(BundleContext context) {
        clusters.takeOver(context);
    }

    @Deactivate
    void deactivate(BundleContext context) {
        clusters.leave(context);
    }

    /** A handler outside a framework (tests). */
    public static HttpHandler with(ClusterDirectory clusters) {
        HttpHandler h = new HttpHandler();
        h.clusters.bind(clusters);
        return h;
    }

    /**
     * Reads the table once, picks the cluster by its rules and hands the request on with that
     * cluster's snapshot from the same table: the exchange does not look the cluster up again.
     */
    @Override
    public void handle(Flow flow, Message message) {
        ClusterDirectory directory = clusters.get();
        ConfigTable table = directory == null ? null : directory.table();
        String cluster = cluster(table, flow, message);
        if (message instanceof HttpMessage) {
            ClusterSnapshot routed = table == null ? null : table.cluster(cluster);
            ((HttpMessage) message).forward(cluster, routed);
        } else {
            message.forward(cluster);
        }
    }

    /** The cluster of the table's first rule that matches the request, else the frontend's. */
    static String cluster(ConfigTable table, Flow flow, Message message) {
        List<RouteRule> rules = table == null ? List.of() : table.routes();
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
