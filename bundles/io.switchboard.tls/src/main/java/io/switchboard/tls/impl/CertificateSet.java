package io.switchboard.tls.impl;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.switchboard.support.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * One frontend's certificates as read at one moment: a context for the default certificate and one
 * for each SNI name, immutable. A reload builds a new set; handshakes that start afterwards use it.
 */
final class CertificateSet {
    final SslContext defaultContext;
    /** Exact names, lower case. */
    private final Map<String, SslContext> exact;
    /** Wildcards by the domain after {@code *.}, lower case. */
    private final Map<String, SslContext> wildcard;
    /** What each file looked like when read, to see a change. */
    final Map<Path, String> stamps;
    /** For logs and the shell: each certificate's subject and expiry. */
    final List<String> descriptions;

    private CertificateSet(SslContext defaultContext, Map<String, SslContext> exact, Map<String, SslContext> wildcard,
                           Map<Path, String> stamps, List<String> descriptions) {
        this.defaultContext = defaultContext;
        this.exact = exact;
        this.wildcard = wildcard;
        this.stamps = stamps;
        this.descriptions = descriptions;
    }

    /** The context for a requested name; null when no certificate has it. */
    SslContext lookup(String host) {
        SslContext c = exact.get(host);
        if (c == null) {
            int dot = host.indexOf('.');
            if (dot > 0) {
                c = wildcard.get(host.substring(dot + 1));
            }
        }
        return c;
    }

    /** Reads every file and builds the contexts; a problem names the key, the file and the reason. */
    static CertificateSet load(TlsSettings s, Engine engine) throws ConfigProblem {
        Map<Path, String> stamps = new HashMap<>();
        for (TlsSettings.CertFiles f : s.all()) {
            stamps.put(f.certificate(), stamp(f.certificate()));
            stamps.put(f.key(), stamp(f.key()));
        }
        List<String> descriptions = new ArrayList<>();
        SslContext dflt = context(s, engine, s.defaultCertificate, descriptions);
        Map<String, SslContext> exact = new HashMap<>();
        Map<String, SslContext> wildcard = new HashMap<>();
        for (TlsSettings.CertFiles f : s.sni) {
            SslContext c = context(s, engine, f, descriptions);
            if (f.name().startsWith("*.")) {
                wildcard.put(f.name().substring(2), c);
            } else {
                exact.put(f.name(), c);
            }
        }
        // Files changed while being read are read again at the next look.
        for (TlsSettings.CertFiles f : s.all()) {
            stamps.put(f.certificate(), stamps.get(f.certificate()).equals(stamp(f.certificate())) ? stamps.get(f.certificate()) : "changed");
            stamps.put(f.key(), stamps.get(f.key()).equals(stamp(f.key())) ? stamps.get(f.key()) : "changed");
        }
        return new CertificateSet(dflt, Map.copyOf(exact), Map.copyOf(wildcard), Map.copyOf(stamps), List.copyOf(descriptions));
    }

    private static SslContext context(TlsSettings s, Engine engine, TlsSettings.CertFiles files, List<String> descriptions)
            throws ConfigProblem {
        PemFiles.Loaded loaded = PemFiles.load(files);
        X509Certificate leaf = loaded.chain()[0];
        descriptions.add((files.name() == null ? "default" : files.name()) + ": " + leaf.getSubjectX500Principal().getName()
                + ", valid until " + leaf.getNotAfter().toInstant() + " (" + files.certificate() + ")");
        List<String> ciphers = new ArrayList<>(s.ciphers);
        if (s.protocols.contains("TLSv1.3")) {
            ciphers.addAll(TlsSettings.TLS13_CIPHERS);
        }
        SslContextBuilder b = SslContextBuilder.forServer(loaded.key(), loaded.chain())
                .sslProvider(engine.provider)
                .protocols(s.protocols)
                .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
                .sessionCacheSize(s.sessionCacheSize)
                .sessionTimeout(s.sessionTimeoutSeconds);
        if (!s.alpn.isEmpty()) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
                    SelectedListenerFailureBehavior.ACCEPT, s.alpn));
        }
        SslContext context;
        try {
            context = b.build();
        } catch (SSLException | RuntimeException e) {
            throw new ConfigProblem(files.certKey(), files.certificate() + ": the TLS engine refuses it: " + e.getMessage());
        }
        List<String> offered = new ArrayList<>(context.cipherSuites());
        offered.removeAll(TlsSettings.TLS13_CIPHERS);
        if (s.protocols.contains("TLSv1.2") && offered.isEmpty()) {
            throw new ConfigProblem("tlsCiphers", "none of " + s.ciphers + " is supported by the " + engine.name() + " engine");
        }
        return context;
    }

    /** Modification time and size of a file ("missing" when it is not there). */
    static String stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + Objects.toString(a.fileKey());
        } catch (IOException e) {
            return "missing";
        }
    }

    /** Whether any file looks different now than when the set was read. */
    boolean changed() {
        for (Map.Entry<Path, String> e : stamps.entrySet()) {
            if (!e.getValue().equals(stamp(e.getKey()))) {
                return true;
            }
        }
        return false;
    }

    /** The current stamps of the same files (to see whether they still change). */
    Map<Path, String> stampsNow() {
        Map<Path, String> now = new HashMap<>();
        for (Path p : stamps.keySet()) {
            now.put(p, stamp(p));
        }
        return now;
    }
}
