package io.switchboard.transport.impl;

import io.switchboard.api.tls.TlsTermination;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The TLS termination service in force: the one registered, else the last one known good while its
 * bundle is being updated (frontends that terminate TLS keep accepting on it until the new one comes).
 */
final class TlsProvider {
    private final AtomicReference<TlsTermination> service = new AtomicReference<>();
    private volatile String servedBy = "";

    TlsTermination get() {
        return service.get();
    }

    String servedBy() {
        return servedBy;
    }

    /** True when it is another service than the one in force. */
    boolean set(TlsTermination t, String bundle) {
        servedBy = bundle;
        return service.getAndSet(t) != t;
    }

    /** Whether an option key belongs to TLS, for a frontend that names one while no TLS service was ever seen. */
    static boolean looksLikeTls(String key) {
        return key.startsWith("tls") || key.equals("alpn");
    }
}
