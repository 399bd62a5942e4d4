package io.switchboard.api;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One back-end server of a cluster. The id comes from configuration and is the same on every
 * dispatcher, so that hashing policies agree across nodes without talking.
 */
public final class Endpoint {
    private final String id;
    private final String host;
    private final int port;
    private final int weight;
    private final InetSocketAddress address;
    /** Computed once: endpoints key the per-loop pools and counters, looked up on every request. */
    private final int hash;

    public Endpoint(String id, String host, int port, int weight) {
        this.id = Objects.requireNonNull(id, "id");
        this.host = Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1..65535: " + port);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("negative weight: " + weight);
        }
        this.port = port;
        this.weight = weight;
        // Resolved once, at configuration time: the data path never does a name look-up.
        this.address = new InetSocketAddress(host, port);
        this.hash = Objects.hash(id, host, port, weight);
    }

    public String id() { return id; }
    public String host() { return host; }
    public int port() { return port; }
    public int weight() { return weight; }
    public InetSocketAddress address() { return address; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Endpoint)) return false;
        Endpoint e = (Endpoint) o;
        return port == e.port && weight == e.weight && id.equals(e.id) && host.equals(e.host);
    }

    @Override
    public int hashCode() { return hash; }

    @Override
    public String toString() {
        String address = host + ":" + port;
        return (id.equals(address) ? address : id + "=" + address) + (weight != 1 ? ";weight=" + weight : "");
    }
}
