package io.switchboard.api.runtime;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * TLS to a cluster's endpoints ({@code tls = true}): the server name sent (SNI) and checked, and
 * whether the endpoint's certificate is verified against the cluster's CA certificates or not at all
 * ({@code tlsVerify = ca | none}, always said explicitly). Immutable, but for one slot where the
 * protocol that connects keeps the client context it built from it, so that it is built once per
 * configuration.
 */
public final class BackendTls {
    private final String serverName;
    private final boolean verify;
    private final List<X509Certificate> trusted;
    private final String caFile;
    private volatile Object context;

    /**
     * @param serverName the name for SNI and for the certificate check; null: the endpoint's host
     * @param verify     whether the certificate chain and name are checked against {@code trusted}
     * @param trusted    the CA certificates (empty when not verifying)
     * @param caFile     where they were read from, for messages; null when not verifying
     */
    public BackendTls(String serverName, boolean verify, List<X509Certificate> trusted, String caFile) {
        this.serverName = serverName;
        this.verify = verify;
        this.trusted = List.copyOf(trusted);
        this.caFile = caFile;
        if (verify && this.trusted.isEmpty()) {
            throw new IllegalArgumentException("verifying needs CA certificates");
        }
    }

    /** The server name to send and check; null: the endpoint's host. */
    public String serverName() { return serverName; }
    public boolean verify() { return verify; }
    public List<X509Certificate> trusted() { return trusted; }
    public String caFile() { return caFile; }

    /** The client context built from this configuration, built on first use by {@code build}. */
    public Object context(Function<BackendTls, Object> build) {
        Object c = context;
        if (c == null) {
            c = build.apply(this); // two loops may both build one the first time: either serves
            context = c;
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BackendTls)) {
            return false;
        }
        BackendTls t = (BackendTls) o;
        return verify == t.verify && Objects.equals(serverName, t.serverName) && trusted.equals(t.trusted)
                && Objects.equals(caFile, t.caFile);
    }

    @Override
    public int hashCode() {
        return Objects.hash(serverName, verify, trusted, caFile);
    }

    @Override
    public String toString() {
        return "tls" + (serverName == null ? "" : " sni=" + serverName) + (verify ? " verify=ca " + caFile : " verify=none");
    }
}
