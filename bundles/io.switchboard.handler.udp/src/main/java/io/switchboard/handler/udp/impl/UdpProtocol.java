package io.switchboard.handler.udp.impl;

import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.DatagramBinding;
import io.switchboard.api.transport.DatagramProtocol;
import io.switchboard.api.transport.FrontendProtocol;
import io.switchboard.support.lifecycle.LastKnownGood;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * UDP as a protocol frontends speak: each client's datagrams are one flow, routed through the
 * intelligent switch until a handler forwards it to a cluster, then relayed over a connected socket
 * to one endpoint, with replies returning from the frontend's address. A flow opened before an
 * update of this bundle keeps the code it started with until it ends; new flows get the new code.
 */
@Component(service = FrontendProtocol.class, property = FrontendProtocol.NAME + "=udp")
public class UdpProtocol implements DatagramProtocol {
    private final LastKnownGood<ClusterDirectory> clusters = new LastKnownGood<>("io.switchboard.handler.udp.protocol.clusters");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindClusters(ClusterDirectory c) {
        clusters.bind(c);
    }

    void unbindClusters(ClusterDirectory c) {
        // Kept: the last directory known good serves until its replacement binds.
    }

    @Activate
    void activate(BundleContext context) {
        clusters.takeOver(context);
    }

    @Deactivate
    void deactivate(BundleContext context) {
        clusters.leave(context);
    }

    /** A protocol outside a framework (tests). */
    public static UdpProtocol with(ClusterDirectory clusters) {
        UdpProtocol p = new UdpProtocol();
        p.clusters.bind(clusters);
        return p;
    }

    ClusterDirectory clusters() {
        return clusters.get();
    }

    @Override
    public Map<String, String> options() {
        return Map.of();
    }

    @Override
    public DatagramBinding bind(FrontendSpec frontend) {
        return flow -> new UdpRelay(flow, this);
    }
}
