package io.switchboard.support.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.switchboard.api.runtime.BackendTls;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Client TLS contexts for clusters with {@code tls = true}, one per cluster configuration (kept in
 * its {@link BackendTls}). The engine is OpenSSL (BoringSSL, netty-tcnative) when it is installed,
 * else the JDK's; which one is logged once.
 */
public final class BackendTlsContexts {
    private final AtomicBoolean logged = new AtomicBoolean();
    private final Consumer<String> info;

    public BackendTlsContexts(Consumer<String> info) {
        this.info = info;
    }

    public SslContext context(BackendTls tls) {
        return (SslContext) tls.context(this::build);
    }

    private SslContext build(BackendTls tls) {
        boolean openSsl = OpenSsl.isAvailable();
        if (logged.compareAndSet(false, true)) {
            info.accept("TLS to back-ends with the " + (openSsl ? "OpenSSL engine (" + OpenSsl.versionString() + ")"
                    : "JDK engine (netty-tcnative is not installed: " + OpenSsl.unavailabilityCause() + ")"));
        }
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(openSsl ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2");
        if (tls.verify()) {
            // The chain against the cluster's CA certificates, and the server name against the certificate.
            b.trustManager(tls.trusted().toArray(new X509Certificate[0])).endpointIdentificationAlgorithm("HTTPS");
        } else {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        }
        try {
            return b.build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS context for " + tls + ": " + e.getMessage(), e);
        }
    }
}
