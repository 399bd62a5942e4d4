package io.switchboard.control.impl.config;

import io.switchboard.api.runtime.BackendTls;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster's TLS to its endpoints: {@code tls = true}, {@code tlsServerName} (SNI and the name the
 * certificate must carry; default the endpoint's host), and {@code tlsVerify}, which has no default:
 * {@code ca} checks the chain against the PEM certificates in {@code tlsCaFile} and the name;
 * {@code none} checks nothing and must be asked for. The CA file is read here, when the
 * configuration is applied: a missing or unreadable one rejects the configuration.
 */
final class BackendTlsSettings {
    private BackendTlsSettings() {
    }

    static BackendTls parse(ConfigReader r) throws ConfigProblem {
        boolean tls = r.bool("tls", false);
        if (!tls) {
            for (String k : List.of("tlsServerName", "tlsVerify", "tlsCaFile")) {
                if (r.has(k)) {
                    throw new ConfigProblem(k, "set, but tls is false (set tls = true)");
                }
            }
            return null;
        }
        String serverName = r.string("tlsServerName", null);
        if (serverName != null && !serverName.matches("[A-Za-z0-9.:-]+")) {
            throw new ConfigProblem("tlsServerName", "'" + serverName + "' is not a host name");
        }
        if (!r.has("tlsVerify")) {
            throw new ConfigProblem("tlsVerify", "required with tls = true: ca (with tlsCaFile) or none (no check at all)");
        }
        String verify = r.choice("tlsVerify", null, "ca", "none");
        String caFile = r.string("tlsCaFile", null);
        if (verify.equals("none")) {
            if (caFile != null) {
                throw new ConfigProblem("tlsCaFile", "set, but tlsVerify is none");
            }
            return new BackendTls(serverName, false, List.of(), null);
        }
        if (caFile == null) {
            throw new ConfigProblem("tlsCaFile", "required with tlsVerify = ca: a PEM file of the CA certificates to trust");
        }
        return new BackendTls(serverName, true, certificates(caFile), caFile);
    }

    private static List<X509Certificate> certificates(String file) throws ConfigProblem {
        Path p = Paths.get(file);
        List<X509Certificate> certs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(p)) {
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
        } catch (IOException e) {
            throw new ConfigProblem("tlsCaFile", "cannot read " + file + ": " + e);
        } catch (CertificateException | RuntimeException e) {
            throw new ConfigProblem("tlsCaFile", file + " holds no readable PEM certificate: " + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw new ConfigProblem("tlsCaFile", file + " holds no certificate");
        }
        return certs;
    }
}
