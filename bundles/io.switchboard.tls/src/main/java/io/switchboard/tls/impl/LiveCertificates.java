package io.switchboard.tls.impl;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.Mapping;
import io.switchboard.api.tls.Tls;
import io.switchboard.api.tls.TlsBinding;
import io.switchboard.support.config.ConfigProblem;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * TLS for one frontend: the certificate set in force (replaced whole when its files change and the
 * new ones are good) and the handshake counters. Each connection gets a handler that reads the set
 * once, when its ClientHello arrives.
 */
final class LiveCertificates implements TlsBinding, Mapping<String, SslContext> {
    /** Set on a connection whose failed handshake was counted. */
    private static final AttributeKey<Boolean> FAILED = AttributeKey.valueOf("switchboard.tls.failed");
    private final TlsSettings settings;
    private final TlsService service;
    private volatile CertificateSet set;
    private volatile boolean closed;
    /** Stamps of a change seen but not applied yet (a file being written); applied once they hold still. */
    private Map<Path, String> pending;
    /** Stamps of files that were bad: reported once, tried again when they change. */
    private Map<Path, String> rejected;
    final LongAdder handshakes = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder refusedSni = new LongAdder();
    final LongAdder reloads = new LongAdder();

    LiveCertificates(TlsSettings settings, CertificateSet set, TlsService service) {
        this.settings = settings;
        this.set = set;
        this.service = service;
    }

    TlsSettings settings() {
        return settings;
    }

    CertificateSet current() {
        return set;
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void accept(Channel channel) {
        channel.pipeline().addLast(Tls.HANDLER, new TerminatingSniHandler(this, this));
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The certificate for a name (null: no SNI); throws when the name is unknown and such names are refused. */
    @Override
    public SslContext map(String host) {
        CertificateSet s = set;
        if (host == null) {
            return s.defaultContext;
        }
        SslContext c = s.lookup(host);
        if (c != null) {
            return c;
        }
        if (settings.refuseUnknownSni) {
            throw new UnknownNameException(host);
        }
        return s.defaultContext;
    }

    /** A refused server name: the handshake fails before any certificate is sent. */
    static final class UnknownNameException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownNameException(String host) {
            super("no certificate for server name '" + host + "' (tlsUnknownSni = refuse)", null, false, false);
        }
    }

    void handshakeSucceeded() {
        handshakes.increment();
    }

    /** Counts a connection's failed handshake, once however many times its handlers report it. */
    void handshakeFailed(Channel channel, Throwable cause) {
        if (channel.attr(FAILED).getAndSet(Boolean.TRUE) != null) {
            return;
        }
        failures.increment();
        for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UnknownNameException) {
                refusedSni.increment();
                break;
            }
        }
        service.handshakeFailed(settings.frontend, channel, cause);
    }

    /** Looks at the files (on the watcher's thread): a change that has held still is loaded; a bad one is reported once. */
    void look() {
        CertificateSet s = set;
        if (!s.changed()) {
            pending = null;
            return;
        }
        Map<Path, String> now = s.stampsNow();
        if (!now.equals(pending)) {
            pending = now; // seen changing: load it when it stays like this until the next look
            return;
        }
        if (now.equals(rejected)) {
            return;
        }
        try {
            CertificateSet next = CertificateSet.load(settings, service.engine());
            set = next;
            rejected = null;
            pending = null;
            reloads.increment();
            service.info("frontend " + settings.frontend + ": TLS certificates reloaded; new handshakes use "
                    + String.join("; ", next.descriptions));
        } catch (ConfigProblem p) {
            rejected = now;
            service.error("frontend " + settings.frontend + ": TLS reload rejected: " + p.getMessage()
                    + "; the frontend keeps its previous certificates");
        } catch (RuntimeException e) {
            rejected = now;
            service.error("frontend " + settings.frontend + ": TLS reload failed: " + e + "; the frontend keeps its previous certificates");
        }
    }
}
