package io.switchboard.tls.impl;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One frontend's TLS options, checked. Files are named here and read by {@link PemFiles}. */
final class TlsSettings {
    static final Map<String, String> OPTIONS = new LinkedHashMap<>();
    static {
        OPTIONS.put("tlsCertificate", "PEM file with the default certificate chain (server certificate first); setting it turns TLS on");
        OPTIONS.put("tlsKey", "PEM file with the default certificate's private key (PKCS#8 or PKCS#1 RSA, unencrypted)");
        OPTIONS.put("tlsSni", "more certificates chosen by SNI: NAME=CERT;KEY, comma separated (NAME may be *.example.com)");
        OPTIONS.put("tlsUnknownSni", "a client asking for a name no certificate has: default (the default certificate) or refuse (the handshake fails)");
        OPTIONS.put("tlsProtocols", "TLS versions offered: TLSv1.2, TLSv1.3 (default both)");
        OPTIONS.put("tlsCiphers", "TLS 1.2 cipher suites, IANA names, in order of preference (default: ECDHE with AES-GCM or ChaCha20-Poly1305)");
        OPTIONS.put("tlsSessionCacheSize", "sessions kept for resumption (20480; 0: the engine's default)");
        OPTIONS.put("tlsSessionTimeoutSeconds", "how long a session can be resumed (300)");
        OPTIONS.put("tlsHandshakeTimeoutSeconds", "a handshake not complete by then closes the connection (10)");
        OPTIONS.put("alpn", "application protocols offered by ALPN, in order (http: http/1.1; other protocols: none; none: no ALPN)");
    }

    static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
    /** Mozilla's "intermediate" TLS 1.2 list (forward secrecy, AEAD only); TLS 1.3's suites are always on. */
    static final List<String> DEFAULT_CIPHERS = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    static final List<String> TLS13_CIPHERS = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    /** A certificate and its key, and the SNI name it serves (null for the default one). */
    record CertFiles(String name, Path certificate, Path key, String certKey, String keyKey) {
    }

    final String frontend;
    final CertFiles defaultCertificate;
    final List<CertFiles> sni;
    final boolean refuseUnknownSni;
    final List<String> protocols;
    final List<String> ciphers;
    final long sessionCacheSize;
    final long sessionTimeoutSeconds;
    final long handshakeTimeoutMillis;
    final List<String> alpn;

    private TlsSettings(String frontend, CertFiles defaultCertificate, List<CertFiles> sni, boolean refuseUnknownSni,
                        List<String> protocols, List<String> ciphers, long sessionCacheSize, long sessionTimeoutSeconds,
                        long handshakeTimeoutMillis, List<String> alpn) {
        this.frontend = frontend;
        this.defaultCertificate = defaultCertificate;
        this.sni = sni;
        this.refuseUnknownSni = refuseUnknownSni;
        this.protocols = protocols;
        this.ciphers = ciphers;
        this.sessionCacheSize = sessionCacheSize;
        this.sessionTimeoutSeconds = sessionTimeoutSeconds;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.alpn = alpn;
    }

    static boolean enabled(Map<String, String> options) {
        String c = options.get("tlsCertificate");
        return c != null && !c.isBlank();
    }

    /** Parses the options of a frontend that speaks {@code protocol}. */
    static TlsSettings parse(String frontend, String protocol, Map<String, String> options) throws ConfigProblem {
        ConfigReader r = new ConfigReader(options, OPTIONS.keySet());
        r.rejectUnknownKeys();
        Path cert = Path.of(r.requiredString("tlsCertificate"));
        if (!r.has("tlsKey")) {
            throw new ConfigProblem("tlsKey", "missing: tlsCertificate " + cert + " needs its private key");
        }
        CertFiles dflt = new CertFiles(null, cert, Path.of(r.requiredString("tlsKey")), "tlsCertificate", "tlsKey");
        List<CertFiles> sni = new ArrayList<>();
        for (String item : r.list("tlsSni")) {
            int eq = item.indexOf('=');
            int semi = item.indexOf(';', eq + 1);
            if (eq <= 0 || semi < 0 || semi == eq + 1 || semi == item.length() - 1) {
                throw new ConfigProblem("tlsSni", "'" + item + "' is not NAME=CERTIFICATE;KEY");
            }
            String name = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!name.matches("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                throw new ConfigProblem("tlsSni", "'" + name + "' is not a host name (or *.domain)");
            }
            for (CertFiles c : sni) {
                if (c.name().equals(name)) {
                    throw new ConfigProblem("tlsSni", "'" + name + "' is named twice");
                }
            }
            sni.add(new CertFiles(name, Path.of(item.substring(eq + 1, semi).trim()), Path.of(item.substring(semi + 1).trim()),
                    "tlsSni", "tlsSni"));
        }
        boolean refuse = r.choice("tlsUnknownSni", "default", "default", "refuse").equals("refuse");
        List<String> protocols = new ArrayList<>();
        for (String p : r.list("tlsProtocols").isEmpty() ? PROTOCOLS : r.list("tlsProtocols")) {
            String known = PROTOCOLS.stream().filter(x -> x.equalsIgnoreCase(p)).findFirst().orElse(null);
            if (known == null) {
                throw new ConfigProblem("tlsProtocols", "'" + p + "' is not offered (TLSv1.2, TLSv1.3; older versions are unsafe)");
            }
            if (!protocols.contains(known)) {
                protocols.add(known);
            }
        }
        List<String> ciphers = r.list("tlsCiphers").isEmpty() ? DEFAULT_CIPHERS : r.list("tlsCiphers");
        long cache = r.longValue("tlsSessionCacheSize", 20480L, 0, 10_000_000);
        long timeout = r.longValue("tlsSessionTimeoutSeconds", 300L, 1, 86_400);
        long handshake = r.longValue("tlsHandshakeTimeoutSeconds", 10L, 1, 3600) * 1000;
        List<String> alpn = r.list("alpn");
        if (alpn.isEmpty()) {
            alpn = "http".equals(protocol) ? List.of("http/1.1") : List.of();
        } else if (alpn.size() == 1 && alpn.get(0).equalsIgnoreCase("none")) {
            alpn = List.of();
        }
        for (String a : alpn) {
            if (!a.matches("[\\x21-\\x7e]{1,255}")) {
                throw new ConfigProblem("alpn", "'" + a + "' is not a protocol name");
            }
        }
        return new TlsSettings(frontend, dflt, List.copyOf(sni), refuse, List.copyOf(protocols), List.copyOf(ciphers), cache, timeout,
                handshake, List.copyOf(alpn));
    }

    /** Every certificate, the default first. */
    List<CertFiles> all() {
        List<CertFiles> all = new ArrayList<>();
        all.add(defaultCertificate);
        all.addAll(sni);
        return all;
    }
}
