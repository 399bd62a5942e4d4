package io.switchboard.metrics.impl;

import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.dispatch.DispatchTable;
import io.switchboard.api.metrics.MetricsScrape;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.PlatformUpdates;
import io.switchboard.api.telemetry.Telemetry;
import java.io.IOException;
import java.io.OutputStream;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The scrape service. It holds no state of its own: the counters live in the transport (traffic),
 * the control bundle (endpoints), the core (rings) and the lifecycle bundle (updates), so an update
 * of this bundle loses nothing and the data path never waits for it. Every reference is optional
 * and dynamic: a scrape while one of them is being updated writes the others' series.
 */
@Component(service = MetricsScrape.class)
public class PrometheusScrape implements MetricsScrape {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Telemetry telemetry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile FrontendService frontends;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterDirectory clusters;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile SwitchingCore core;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PlatformUpdates updates;

    /** The dispatcher cluster's table, while it is on and synced. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile DispatchTable dispatch;

    @Override
    public void write(OutputStream out) throws IOException {
        Scrape.write(Scrape.collect(telemetry, frontends, clusters, core, updates, dispatch), out);
    }
}
