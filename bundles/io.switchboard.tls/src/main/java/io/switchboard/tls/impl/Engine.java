package io.switchboard.tls.impl;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * The TLS engine: OpenSSL (BoringSSL, statically linked in netty-tcnative) when its native library
 * loads, else the JDK's, which works the same but costs more CPU per handshake and per byte.
 */
final class Engine {
    final SslProvider provider;
    /** Why OpenSSL is not used; null when it is. */
    final String fallbackReason;

    private Engine(SslProvider provider, String fallbackReason) {
        this.provider = provider;
        this.fallbackReason = fallbackReason;
    }

    static Engine pick(boolean forceJdk) {
        if (forceJdk) {
            return new Engine(SslProvider.JDK, "switchboard.tls.engine=jdk");
        }
        try {
            if (OpenSsl.isAvailable()) {
                return new Engine(SslProvider.OPENSSL, null);
            }
            Throwable cause = OpenSsl.unavailabilityCause();
            return new Engine(SslProvider.JDK, "OpenSSL (netty-tcnative) is not available: " + cause);
        } catch (LinkageError e) {
            return new Engine(SslProvider.JDK, "OpenSSL (netty-tcnative) is not available: " + e);
        }
    }

    String name() {
        return provider == SslProvider.OPENSSL ? "openssl (" + OpenSsl.versionString() + ")" : "jdk";
    }
}
