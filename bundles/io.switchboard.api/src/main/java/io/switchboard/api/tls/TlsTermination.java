package io.switchboard.api.tls;

import io.switchboard.api.runtime.FrontendSpec;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * TLS termination as a service: the transport finds it by this interface. A new version of its
 * bundle registers a new service; the transport readies TLS again with it for every frontend that
 * terminates TLS, and the connections open on the old one drain.
 */
@ProviderType
public interface TlsTermination {
    /** The frontend options this service reads (certificates, protocols, ciphers, ...), each with a one-line description. */
    Map<String, String> options();

    /** Whether these frontend options ask for TLS (they name a certificate). */
    boolean enabled(Map<String, String> options);

    /**
     * Readies TLS for one frontend: reads and checks its certificates and keys, builds the contexts,
     * and from then on watches the files (a changed file is loaded for new handshakes; a bad one is
     * logged and the certificates in force stay).
     *
     * @param frontend the frontend, with its TLS options (and the shared defaults) only
     * @throws IllegalArgumentException for a bad option or file, with a message {@code key 'NAME': file: reason}
     */
    TlsBinding bind(FrontendSpec frontend);
}
