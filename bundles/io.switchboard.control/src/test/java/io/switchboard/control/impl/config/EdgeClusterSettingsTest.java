package io.switchboard.control.impl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.BackendTls;
import io.switchboard.control.impl.cluster.ClusterSpec;
import io.switchboard.support.config.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster's PROXY protocol and TLS keys: values, defaults, and every bad one rejected naming its key. */
class EdgeClusterSettingsTest {
    /** A PEM block whose certificate is cut short after its first bytes. */
    private static final String TRUNCATED_PEM = "-----BEGIN CERTIFICATE-----\n"
            + "MIIBfDCCASOgAwIBAgIUY5nH7xgq3HkxB3nOZ7a6y1Q0LhYwCgYIKoZIzj0EAwIw\n"
            + "FDESMBAGA1UEAwwJVGVzdCBDQSAxMB4XDTI0MDEwMTAwMDAwMFoXDTM0MDEwMTAw\n"
            + "MDAwMFowFDESMBAGA1UEAwwJVGVzdCBDQSAxMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
            + "AQcDQgAE\n"
            + "-----END CERTIFICATE-----\n";

    private static ClusterSpec parse(Object... kv) throws ConfigProblem {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "c");
        m.put("endpoints", "127.0.0.1:1");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return ClusterSettings.parse(m);
    }

    private static void rejected(String key, Object... kv) {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> parse(kv));
        assertEquals(key, p.key(), p.getMessage());
    }

    @Test
    void sendProxyProtocolIsOffUnlessSet() throws Exception {
        assertEquals(0, parse().options().sendProxyProtocol());
        assertEquals(1, parse("sendProxyProtocol", "v1").options().sendProxyProtocol());
        assertEquals(2, parse("sendProxyProtocol", "V2").options().sendProxyProtocol());
        assertEquals(0, parse("sendProxyProtocol", "off").options().sendProxyProtocol());
        rejected("sendProxyProtocol", "sendProxyProtocol", "v3");
        rejected("sendProxyProtocol", "sendProxyProtocol", "yes");
    }

    @Test
    void tlsIsOffUnlessSetAndNoneMustBeSaid() throws Exception {
        assertNull(parse().options().tls());
        BackendTls none = parse("tls", "true", "tlsVerify", "none").options().tls();
        assertFalse(none.verify());
        assertNull(none.serverName());
        rejected("tlsVerify", "tls", "true");
        rejected("tlsVerify", "tls", "true", "tlsVerify", "maybe");
        rejected("tls", "tls", "sometimes");
        rejected("tlsVerify", "tlsVerify", "none");
        rejected("tlsServerName", "tlsServerName", "backend.test");
        rejected("tlsServerName", "tls", "true", "tlsVerify", "none", "tlsServerName", "a b");
        rejected("tlsCaFile", "tls", "true", "tlsVerify", "none", "tlsCaFile", "ca.pem");
    }

    @Test
    void verifyingNeedsAReadableCaFile(@TempDir Path dir) throws Exception {
        rejected("tlsCaFile", "tls", "true", "tlsVerify", "ca");
        rejected("tlsCaFile", "tls", "true", "tlsVerify", "ca", "tlsCaFile", dir.resolve("missing.pem").toString());
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        rejected("tlsCaFile", "tls", "true", "tlsVerify", "ca", "tlsCaFile", garbage.toString());
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        rejected("tlsCaFile", "tls", "true", "tlsVerify", "ca", "tlsCaFile", empty.toString());
        Path truncated = Files.writeString(dir.resolve("cut.pem"), TRUNCATED_PEM);
        rejected("tlsCaFile", "tls", "true", "tlsVerify", "ca", "tlsCaFile", truncated.toString());
    }

    @Test
    void aCaFileMadeByOpensslIsRead(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-days", "1", "-subj", "/CN=Unit CA", "-keyout", "ca.key", "-out", "ca.pem")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), "openssl made a CA");
        BackendTls tls = parse("tls", "true", "tlsVerify", "ca", "tlsCaFile", dir.resolve("ca.pem").toString(),
                "tlsServerName", "backend.test").options().tls();
        assertTrue(tls.verify());
        assertEquals("backend.test", tls.serverName());
        assertEquals(1, tls.trusted().size());
        assertTrue(tls.trusted().get(0).getSubjectX500Principal().getName().contains("Unit CA"));
        // The same file again is the same configuration (a re-applied file changes nothing).
        assertEquals(parse("tls", "true", "tlsVerify", "ca", "tlsCaFile", dir.resolve("ca.pem").toString(),
                "tlsServerName", "backend.test").options(), parse("tls", "true", "tlsVerify", "ca", "tlsCaFile",
                dir.resolve("ca.pem").toString(), "tlsServerName", "backend.test").options());
    }
}
