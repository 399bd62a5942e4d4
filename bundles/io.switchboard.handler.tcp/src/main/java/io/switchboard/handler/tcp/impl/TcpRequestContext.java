package io.switchboard.transport.impl.tcp;

import io.switchboard.api.RequestContext;
import java.net.InetSocketAddress;

/** A TCP connection as policies see it: no application-layer attributes. */
final class TcpRequestContext implements RequestContext {
    private final String frontend;
    private final InetSocketAddress client;

    TcpRequestContext(String frontend, InetSocketAddress client) {
        this.frontend = frontend;
        this.client = client;
    }

    @Override public String frontend() { return frontend; }
    @Override public InetSocketAddress clientAddress() { return client; }
    @Override public String attribute(String name) { return null; }
}
