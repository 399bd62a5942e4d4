package io.switchboard.api.runtime;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a frontend is: a validated, immutable configuration. The protocol is a name, not a fixed
 * list: a bundle that registers a protocol service under that name serves it.
 */
public final class FrontendSpec {
    private final String name;
    private final String protocol;
    private final String bindAddress;
    private final int port;
    private final String cluster;
    private final Map<InetSocketAddress, String> services;
    private final Map<String, String> options;
    private final String source;

    public FrontendSpec(String name, String protocol, String bindAddress, int port, String cluster) {
        this(name, protocol, bindAddress, port, cluster, Map.of(), Map.of(), null);
    }

    /**
     * @param protocol the name of the protocol the frontend speaks ({@code http}, {@code tcp},
     *                 {@code udp}, or any a plugin provides), lower case
     * @param services the virtual services this frontend serves: destination address and port to the
     *                 name of the cluster behind it. Empty: every destination reaching the socket is
     *                 served from {@code cluster}; else a connection or datagram for any other
     *                 destination is refused (TCP reset, datagram dropped).
     * @param options  settings for the protocol (e.g. {@code via} for HTTP), checked by the protocol
     * @param source   where the configuration came from (a file), for messages; null when unknown
     */
    public FrontendSpec(String name, String protocol, String bindAddress, int port, String cluster,
                        Map<InetSocketAddress, String> services, Map<String, String> options, String source) {
        this.name = Objects.requireNonNull(name, "name");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
        this.port = port;
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.services = Map.copyOf(services);
        this.options = Map.copyOf(options);
        this.source = source;
    }

    public String name() { return name; }
    /** Name of the protocol the frontend speaks. */
    public String protocol() { return protocol; }
    public String bindAddress() { return bindAddress; }
    /** Configured port; 0 asks the system for a free one (tests). */
    public int port() { return port; }
    public String cluster() { return cluster; }
    /** Virtual services: destination to cluster; empty when every destination is served. */
    public Map<InetSocketAddress, String> services() { return services; }
    /** The protocol's own settings for this frontend. */
    public Map<String, String> options() { return options; }
    /** The file (or other source) the frontend was configured from; null when unknown. */
    public String source() { return source; }

    /** The same frontend with other protocol settings. */
    public FrontendSpec withOptions(Map<String, String> newOptions) {
        return new FrontendSpec(name, protocol, bindAddress, port, cluster, services, newOptions, source);
    }

    /** Whether the other spec asks for the same listening socket (protocol, address and port). */
    public boolean sameSocket(FrontendSpec other) {
        return other != null && protocol.equals(other.protocol) && bindAddress.equals(other.bindAddress) && port == other.port;
    }

    /**
     * The cluster serving a destination: the frontend's cluster when it has no virtual services,
     * the service's cluster when the destination is one of them, else null (refuse it).
     */
    public String clusterFor(InetSocketAddress destination) {
        return services.isEmpty() ? cluster : services.get(destination);
    }

    /** Equal specs configure the same frontend; where they came from does not count. */
    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof FrontendSpec)) return false;
        FrontendSpec f = (FrontendSpec) o;
        return port == f.port && name.equals(f.name) && protocol.equals(f.protocol)
                && bindAddress.equals(f.bindAddress) && cluster.equals(f.cluster) && services.equals(f.services)
                && options.equals(f.options);
    }

    @Override
    public int hashCode() { return Objects.hash(name, protocol, bindAddress, port, cluster, services, options); }

    @Override
    public String toString() {
        return name + " " + protocol + "://" + bindAddress + ":" + port + " -> "
                + (services.isEmpty() ? cluster : "services " + services)
                + (options.isEmpty() ? "" : " " + new TreeMap<>(options));
    }
}
