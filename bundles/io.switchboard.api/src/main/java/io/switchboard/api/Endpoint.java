package io.switchboard.api;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One back-end server of a cluster. The id comes from configuration and is the same on every
 * dispatcher, so that hashing policies agree across nodes without talking.
 *
 * <p>An endpoint is either on the network ({@code host:port}) or <em>local</em>
 * ({@code local:NAME}): an application inside this runtime, registered as an
 * {@link io.switchboard.api.local.LocalApplication} service under that name, reached through the
 * platform's pseudo-network interface (Netty's in-JVM local transport) exactly like a remote one.
 */
public final class Endpoint {
    /** How a local endpoint's address is written: {@code local:NAME}. */
    public static final String LOCAL_PREFIX = "local:";

    private final String id;
    private final String host;
    private final int port;
    private final int weight;
    private final InetSocketAddress address;
    /** The local application's name, or null for an endpoint on the network. */
    private final String localName;
    /** Computed once: endpoints key the per-loop pools and counters, looked up on every request. */
    private final int hash;

    public Endpoint(String id, String host, int port, int weight) {
        this(id, host, port, weight, null, checked(host, port, weight));
    }

    private Endpoint(String id, String host, int port, int weight, String localName, InetSocketAddress address) {
        this.id = Objects.requireNonNull(id, "id");
        this.host = host;
        this.port = port;
        this.weight = weight;
        this.localName = localName;
        this.address = address;
        this.hash = Objects.hash(id, host, port, weight);
    }

    private static InetSocketAddress checked(String host, int port, int weight) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1..65535: " + port);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("negative weight: " + weight);
        }
        // Resolved once, at configuration time: the data path never does a name look-up.
        return new InetSocketAddress(host, port);
    }

    /**
     * A local endpoint: the in-process application registered under {@code name}. Its host is
     * {@code local:NAME}, its port 0, and its {@link #address()} an unresolved placeholder that no
     * socket can connect to: the transport connects it over its local channel instead.
     *
     * @since 1.1
     */
    public static Endpoint local(String id, String name, int weight) {
        if (!isLocalName(name)) {
            throw new IllegalArgumentException("not a local application name: '" + name + "'");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("negative weight: " + weight);
        }
        String host = LOCAL_PREFIX + name;
        return new Endpoint(id, host, 0, weight, name, InetSocketAddress.createUnresolved(host, 0));
    }

    /** Whether the text may name a local application: a letter or digit, then letters, digits, {@code . _ -}. @since 1.1 */
    public static boolean isLocalName(String name) {
        return name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    }

    public String id() { return id; }
    /** The host name or address; {@code local:NAME} for a local endpoint. */
    public String host() { return host; }
    /** The port; 0 for a local endpoint. */
    public int port() { return port; }
    public int weight() { return weight; }
    /** The socket address; for a local endpoint an unresolved placeholder (see {@link #local}). */
    public InetSocketAddress address() { return address; }

    /** Whether this is an application inside the runtime ({@code local:NAME}). @since 1.1 */
    public boolean isLocal() { return localName != null; }

    /** The local application's name, or null for an endpoint on the network. @since 1.1 */
    public String localName() { return localName; }

    /** The address as configuration writes it: {@code host:port}, or {@code local:NAME}. @since 1.1 */
    public String addressText() {
        return localName != null ? host : host + ":" + port;
    }

    /** The same endpoint balanced with another weight. @since 1.1 */
    public Endpoint withWeight(int newWeight) {
        if (newWeight == weight) {
            return this;
        }
        if (newWeight < 0) {
            throw new IllegalArgumentException("negative weight: " + newWeight);
        }
        return new Endpoint(id, host, port, newWeight, localName, address);
    }

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
        String address = addressText();
        return (id.equals(address) ? address : id + "=" + address) + (weight != 1 ? ";weight=" + weight : "");
    }
}
