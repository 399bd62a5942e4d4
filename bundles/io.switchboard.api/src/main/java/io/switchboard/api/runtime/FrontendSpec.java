package io.switchboard.api.runtime;

import java.util.Objects;

/** What a frontend is: a validated, immutable configuration. */
public final class FrontendSpec {
    private final String name;
    private final Protocol protocol;
    private final String bindAddress;
    private final int port;
    private final String cluster;

    public FrontendSpec(String name, Protocol protocol, String bindAddress, int port, String cluster) {
        this.name = Objects.requireNonNull(name, "name");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
        this.port = port;
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    public String name() { return name; }
    public Protocol protocol() { return protocol; }
    public String bindAddress() { return bindAddress; }
    /** Configured port; 0 asks the system for a free one (tests). */
    public int port() { return port; }
    public String cluster() { return cluster; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof FrontendSpec)) return false;
        FrontendSpec f = (FrontendSpec) o;
        return port == f.port && name.equals(f.name) && protocol == f.protocol
                && bindAddress.equals(f.bindAddress) && cluster.equals(f.cluster);
    }

    @Override
    public int hashCode() { return Objects.hash(name, protocol, bindAddress, port, cluster); }

    @Override
    public String toString() {
        return name + " " + protocol.name().toLowerCase() + "://" + bindAddress + ":" + port + " -> " + cluster;
    }
}
