package io.switchboard.shell.impl;

import io.switchboard.api.runtime.FrontendService;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code sb:conns}: the transport's connection table. The table lives in the transport (and goes
 * along with its updates); this command only reads it, so updating the shell loses nothing.
 */
@Component(service = ConnectionCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=conns"})
public class ConnectionCommands {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FrontendService frontends;

    @Descriptor("the connection table: each live flow with its protocol, frontend, cluster, client, endpoint, handler, age, bytes in and out")
    public String conns() {
        return conns("");
    }

    @Descriptor("the connection table's flows whose frontend, cluster, client, endpoint, protocol or handler contains the text")
    public String conns(@Descriptor("text to look for (case-insensitive), e.g. a frontend, an endpoint id or an address") String filter) {
        FrontendService f = frontends;
        if (f == null) {
            return "the transport is not running";
        }
        return ConnectionListing.render(f.flows(), f.connectionTable(), filter, System.currentTimeMillis());
    }
}
