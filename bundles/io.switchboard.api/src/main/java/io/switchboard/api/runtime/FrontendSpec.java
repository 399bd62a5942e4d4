package io.switchboard.api.runtime;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/** What a frontend is: a validated, immutable configuration. */
public final class FrontendSpec {
    private final String name;
    private final Protocol protocol;
    private final String bindAddress;
    private final int port;
    private final String cluster;
    private final Map<InetSocketAddress, String> services;

    public FrontendSpec(String name, Protocol protocol, String bindAddress, int port, String cluster) {
        this(name, protocol, bindAddress, port, cluster, Map.of());
    }

    /**
     * @param services the virtual services this frontend serves: destination address and port to the
     *                 name of the cluster behind it. Empty: every destination reaching the socket is
     *                 served from {@code cluster}; else a connection or datagram for any other
     *                 destination is refused (TCP reset, datagram dropped).
     */
    public FrontendSpec(String name, Protocol protocol, String bindAddress, int port, String cluster,
                        Map<InetSocketAddress, String> services) {
        this.name = Objects.requireNonNull(name, "name");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
        this.port = port;
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.services = Map.copyOf(services);
    }

    public String name() { return name; }
    public Protocol protocol() { return protocol; }
    public String bindAddress() { return bindAddress; }
    /** Configured port; 0 asks the system for a free one (tests). */
    public int port() { return port; }
    public String cluster() { return cluster; }
    /** Virtual services: destination to cluster; empty when every destination is served. */
    public Map<InetSocketAddress, String> services() { return services; }

    /**
     * The cluster serving a destination: the frontend's cluster when it has no virtual services,
     * the service's cluster when the destination is one of them, else null (refuse it).
     */
    public String clusterFor(InetSocketAddress destination) {
        return services.isEmpty() ? cluster : services.get(destination);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof FrontendSpec)) return false;
        FrontendSpec f = (FrontendSpec) o;
        return port == f.port && name.equals(f.name) && protocol == f.protocol
                && bindAddress.equals(f.bindAddress) && cluster.equals(f.cluster) && services.equals(f.services);
    }

    @Override
    public int hashCode() { return Objects.hash(name, protocol, bindAddress, port, cluster, services); }

    @Override
    public String toString() {
        return name + " " + protocol.name().toLowerCase() + "://" + bindAddress + ":" + port + " -> "
                + (services.isEmpty() ? cluster : "services " + services);
    }
}
