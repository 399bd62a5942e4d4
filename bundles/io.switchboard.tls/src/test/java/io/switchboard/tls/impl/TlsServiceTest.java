package io.switchboard.tls.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.FrontendSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Certificates and keys as the frontend's files give them (made with openssl for the run), and every way they can be wrong. */
class TlsServiceTest {
    private static Path dir;
    private final List<String> log = new ArrayList<>();
    private final TlsService service = TlsService.standalone(log::add);

    @BeforeAll
    static void certificates() throws Exception {
        dir = Files.createTempDirectory("sb-tls-test");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=a.example",
                "-keyout", dir.resolve("a.key").toString(), "-out", dir.resolve("a.pem").toString());
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=b.example",
                "-keyout", dir.resolve("b.key").toString(), "-out", dir.resolve("b.pem").toString());
        // the same RSA key as PKCS#1
        openssl("rsa", "-in", dir.resolve("a.key").toString(), "-traditional", "-out", dir.resolve("a-pkcs1.key").toString());
        openssl("pkcs8", "-topk8", "-in", dir.resolve("a.key").toString(), "-passout", "pass:secret", "-out", dir.resolve("a-enc.key").toString());
        openssl("ec", "-in", dir.resolve("b.key").toString(), "-out", dir.resolve("b-sec1.key").toString());
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, cmd + ": " + out);
    }

    @AfterEach
    void stop() {
        service.deactivate();
    }

    private LiveCertificates bind(String... kv) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return (LiveCertificates) service.bind(new FrontendSpec("web", "http", "127.0.0.1", 0, "web", Map.of(), o, null));
    }

    private String rejected(String... kv) {
        return assertThrows(IllegalArgumentException.class, () -> bind(kv)).getMessage();
    }

    @Test
    void bindsCertificatesChosenBySni() {
        LiveCertificates l = bind("tlsCertificate", dir.resolve("a.pem").toString(), "tlsKey", dir.resolve("a.key").toString(),
                "tlsSni", "b.example=" + dir.resolve("b.pem") + ";" + dir.resolve("b.key") + ", *.b.example="
                        + dir.resolve("b.pem") + ";" + dir.resolve("b.key"));
        assertSame(l.current().defaultContext, l.map(null));
        assertSame(l.current().defaultContext, l.map("unknown.example"));
        assertNotNull(l.map("b.example"));
        assertTrue(l.map("b.example") != l.current().defaultContext);
        assertTrue(l.map("www.b.example") != l.current().defaultContext);
        assertTrue(String.join("\n", log).contains("TLS engine openssl"), log.toString());
    }

    @Test
    void pkcs1RsaKeysAreRead() {
        assertNotNull(bind("tlsCertificate", dir.resolve("a.pem").toString(), "tlsKey", dir.resolve("a-pkcs1.key").toString()));
    }

    @Test
    void refusedUnknownNamesFail() {
        LiveCertificates l = bind("tlsCertificate", dir.resolve("a.pem").toString(), "tlsKey", dir.resolve("a.key").toString(),
                "tlsUnknownSni", "refuse");
        assertThrows(LiveCertificates.UnknownNameException.class, () -> l.map("other.example"));
        assertSame(l.current().defaultContext, l.map(null)); // no SNI at all: the default
    }

    @Test
    void everyBadFileIsNamedWithItsReason() {
        String a = dir.resolve("a.pem").toString();
        assertEquals("key 'tlsKey': " + dir.resolve("b.key") + ": the private key does not belong to the certificate in " + a
                + " (CN=a.example)", rejected("tlsCertificate", a, "tlsKey", dir.resolve("b.key").toString()));
        assertEquals("key 'tlsCertificate': " + dir.resolve("none.pem") + ": no such file",
                rejected("tlsCertificate", dir.resolve("none.pem").toString(), "tlsKey", dir.resolve("a.key").toString()));
        assertEquals("key 'tlsCertificate': " + dir.resolve("a.key") + ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)",
                rejected("tlsCertificate", dir.resolve("a.key").toString(), "tlsKey", dir.resolve("a.key").toString()));
        assertEquals("key 'tlsKey': " + a + ": no PEM private key in it (-----BEGIN PRIVATE KEY-----)",
                rejected("tlsCertificate", a, "tlsKey", a));
        assertEquals("key 'tlsCertificate': " + dir + ": is a directory, not a PEM file",
                rejected("tlsCertificate", dir.toString(), "tlsKey", dir.resolve("a.key").toString()));
        assertTrue(rejected("tlsCertificate", a, "tlsKey", dir.resolve("a-enc.key").toString()).contains(": the key is encrypted"));
        assertTrue(rejected("tlsCertificate", dir.resolve("b.pem").toString(), "tlsKey", dir.resolve("b-sec1.key").toString())
                .contains(": SEC1 EC key; convert it to PKCS#8"));
        assertEquals("key 'tlsKey': missing: tlsCertificate " + a + " needs its private key", rejected("tlsCertificate", a));
    }

    @Test
    void badOptionsAreRejected() {
        String a = dir.resolve("a.pem").toString();
        String k = dir.resolve("a.key").toString();
        assertTrue(rejected("tlsCertificate", a, "tlsKey", k, "tlsProtocols", "TLSv1.1").startsWith("key 'tlsProtocols': 'TLSv1.1' is not offered"));
        assertTrue(rejected("tlsCertificate", a, "tlsKey", k, "tlsCiphers", "TLS_NOPE").startsWith("key 'tlsCiphers': none of [TLS_NOPE]"));
        assertTrue(rejected("tlsCertificate", a, "tlsKey", k, "tlsUnknownSni", "maybe").startsWith("key 'tlsUnknownSni'"));
        assertTrue(rejected("tlsCertificate", a, "tlsKey", k, "tlsSni", "a.example").startsWith("key 'tlsSni': 'a.example' is not NAME=CERTIFICATE;KEY"));
        assertTrue(rejected("tlsCertificate", a, "tlsKey", k, "tlsSni", "a.example=" + a + ";" + dir.resolve("b.key"))
                .startsWith("key 'tlsSni': " + dir.resolve("b.key") + ": the private key does not belong"));
    }

    @Test
    void alpnDefaultsByProtocol() throws Exception {
        TlsSettings http = TlsSettings.parse("web", "http", Map.of("tlsCertificate", "x", "tlsKey", "y"));
        assertEquals(List.of("http/1.1"), http.alpn);
        assertEquals(List.of(), TlsSettings.parse("db", "tcp", Map.of("tlsCertificate", "x", "tlsKey", "y")).alpn);
        assertEquals(List.of("h2", "http/1.1"), TlsSettings.parse("web", "http", Map.of("tlsCertificate", "x", "tlsKey", "y", "alpn", "h2, http/1.1")).alpn);
        assertEquals(List.of(), TlsSettings.parse("web", "http", Map.of("tlsCertificate", "x", "tlsKey", "y", "alpn", "none")).alpn);
    }
}
