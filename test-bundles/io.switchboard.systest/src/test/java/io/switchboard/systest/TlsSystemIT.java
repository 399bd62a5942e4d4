package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.HttpBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * TLS termination through the exported runtime, with real clients: {@code openssl s_client} with
 * SNI, wrk over https, hand-made ClientHellos. Certificates are made for each run with openssl.
 */
class TlsSystemIT {

    private static String tlsFrontend(int port, String cluster, Path certs, String extra) {
        return "address = 127.0.0.1\nport = " + port + "\ncluster = " + cluster + "\n"
                + "tlsCertificate = " + certs.resolve("default.pem") + "\ntlsKey = " + certs.resolve("default.key") + "\n"
                + "tlsSni = a.example=" + certs.resolve("a.pem") + ";" + certs.resolve("a.key")
                + ", *.b.example=" + certs.resolve("b.pem") + ";" + certs.resolve("b.key") + "\n" + extra;
    }

    private static Path certificates() throws Exception {
        Path certs = Files.createTempDirectory("sb-certs");
        TlsTools.certificateOfType(certs, "default", "ec", "default.example");
        TlsTools.certificate(certs, "a", "a.example");
        TlsTools.certificate(certs, "b", "b.example", "*.b.example");
        return certs;
    }

    /** The bytes nginx sends for the request, straight from it. */
    private static String direct(int port, String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String withoutDate(String response) {
        return TlsTools.canonical(TlsTools.response(response));
    }

    @Test
    void sniPicksEachNamesCertificateAndResponsesAreByteExact() throws Exception {
        ExternalTools.require("nginx", "openssl");
        Path certs = certificates();
        int port = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(2); HttpBackend heads = new HttpBackend("heads")) {
            int web = nginx.ports().get(0);
            int other = nginx.ports().get(1);
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + web + "\n");
            conf.put("io.switchboard.cluster-a.cfg", "endpoints = 127.0.0.1:" + other + "\n");
            conf.put("io.switchboard.route-a.cfg", "frontends = tls\nmatch = sni=a.example\ncluster = a\n");
            conf.put("io.switchboard.cluster-heads.cfg", "endpoints = 127.0.0.1:" + heads.port() + "\n");
            conf.put("io.switchboard.route-heads.cfg", "frontends = tls\nmatch = sni=*.heads.example\ncluster = heads\n");
            conf.put("io.switchboard.frontend-tls.cfg", tlsFrontend(port, "web", certs, ""));
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(port, 60_000);
                rt.awaitOutput("io.switchboard.tls: TLS engine openssl");

                TlsTools.Session a = TlsTools.sClient(port, "a.example", TlsTools.get("a.example"));
                assertEquals("CN=a.example", a.subject(), a.out() + a.err());
                // routed by the rule "sni=a.example" to the other back-end, and relayed as nginx sent it
                assertEquals(withoutDate(direct(other, TlsTools.get("a.example"))), withoutDate(a.response()), a.out());

                TlsTools.Session b = TlsTools.sClient(port, "shop.b.example", TlsTools.get("shop.b.example"));
                assertEquals("CN=b.example", b.subject(), b.out() + b.err());
                assertEquals(withoutDate(direct(web, TlsTools.get("shop.b.example"))), withoutDate(b.response()), b.out());
                assertTrue(b.response().endsWith("\r\n\r\nok\n"), b.response());

                TlsTools.Session none = TlsTools.sClient(port, null, TlsTools.get("x"));
                assertEquals("CN=default.example", none.subject(), none.out());
                TlsTools.Session unknown = TlsTools.sClient(port, "unknown.example", TlsTools.get("x"));
                assertEquals("CN=default.example", unknown.subject(), unknown.out());

                // the back-end learns the client spoke https
                TlsTools.Session viaHeads = TlsTools.sClient(port, "www.heads.example", TlsTools.get("www.heads.example"));
                assertTrue(viaHeads.response() != null && viaHeads.response().startsWith("HTTP/1.1 200"), viaHeads.out());
                String head = heads.heads.get(heads.heads.size() - 1);
                assertTrue(head.contains("X-Forwarded-Proto: https\r\n") && head.contains("proto=https"), head);

                // TLS 1.2 and 1.3 both; ALPN http/1.1
                assertTrue(TlsTools.sClient(port, "a.example", "", "-tls1_2").out().contains("Protocol  : TLSv1.2"));
                TlsTools.Session alpn = TlsTools.sClient(port, "a.example", "", "-tls1_3", "-alpn", "h2,http/1.1");
                assertTrue(alpn.out().contains("New, TLSv1.3"), alpn.out());
                assertTrue(alpn.out().contains("ALPN protocol: http/1.1"), alpn.out());
                // TLS 1.1 is refused
                assertFalse(TlsTools.sClient(port, "a.example", "", "-tls1_1").handshakeDone());

                // session resumption: a session saved from one connection is resumed by the next
                Path session = Files.createTempFile("sb-session", ".pem");
                TlsTools.sClient(port, "a.example", "", "-tls1_2", "-sess_out", session.toString());
                TlsTools.Session resumed = TlsTools.sClient(port, "a.example", "", "-tls1_2", "-sess_in", session.toString());
                assertTrue(resumed.out().contains("Reused, TLSv1.2"), resumed.out());
                // TLS 1.3: the ticket comes after the handshake, with the response
                TlsTools.sClient(port, "a.example", TlsTools.get("a.example"), "-tls1_3", "-sess_out", session.toString());
                resumed = TlsTools.sClient(port, "a.example", TlsTools.get("a.example"), "-tls1_3", "-sess_in", session.toString());
                assertTrue(resumed.out().contains("Reused, TLSv1.3"), resumed.out());
                Files.deleteIfExists(session);
            }
        }
    }

    @Test
    void certificateReplacedOnDiskUnderLoadFailsNoRequestAndNewHandshakesGetIt() throws Exception {
        ExternalTools.require("nginx", "openssl", "wrk");
        Path certs = certificates();
        int port = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(1)) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + nginx.ports().get(0) + "\n");
            conf.put("io.switchboard.frontend-tls.cfg", tlsFrontend(port, "web", certs, ""));
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(port, 60_000);
                assertEquals("CN=default.example", TlsTools.awaitSubject(port, null, "CN=default.example"));
                Path next = Files.createTempDirectory("sb-certs-next");
                TlsTools.certificate(next, "default", "renewed.example");
                WrkRun wrk = WrkRun.start("https://127.0.0.1:" + port + "/", 16, 60);
                Thread.sleep(3_000);
                int mark = rt.output.size();
                // as a renewal tool does: the key, then the certificate, each moved in whole
                Files.move(next.resolve("default.key"), certs.resolve("default.key"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.move(next.resolve("default.pem"), certs.resolve("default.pem"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                rt.awaitOutput(mark, l -> l.contains("frontend tls: TLS certificates reloaded"), 20_000);
                assertEquals("CN=renewed.example", TlsTools.awaitSubject(port, null, "CN=renewed.example"));
                assertEquals("CN=a.example", TlsTools.sClient(port, "a.example", "").subject()); // the others stay
                Thread.sleep(3_000);
                WrkRun.Summary s = wrk.stop();
                System.out.println("[tls] certificate replaced under load: " + s.requests() + " requests, " + s.non2xx() + " non-2xx, "
                        + s.socketErrors() + " socket errors");
                assertTrue(s.requests() > 100, s.text());
                assertEquals(0, s.non2xx(), s.text());
                assertEquals(0, s.socketErrors(), s.text());
            }
        }
    }

    @Test
    void badCertificateOrKeyIsRejectedWithFileAndReasonAndTheOldOneKeepsServing() throws Exception {
        ExternalTools.require("nginx", "openssl");
        Path certs = certificates();
        Path other = Files.createTempDirectory("sb-certs-other");
        TlsTools.certificate(other, "stranger", "stranger.example");
        int port = RuntimeProcess.freePort();
        int missingPort = RuntimeProcess.freePort();
        Path missing = certs.resolve("missing.pem");
        try (NginxBackends nginx = NginxBackends.start(1)) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + nginx.ports().get(0) + "\n");
            conf.put("io.switchboard.frontend-tls.cfg", tlsFrontend(port, "web", certs, ""));
            conf.put("io.switchboard.frontend-missing.cfg", "address = 127.0.0.1\nport = " + missingPort + "\ncluster = web\n"
                    + "tlsCertificate = " + missing + "\ntlsKey = " + certs.resolve("default.key") + "\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(port, 60_000);
                // at start: the file and the reason, and that frontend does not start
                rt.awaitOutput(0, l -> l.contains("config rejected: conf/io.switchboard.frontend-missing.cfg: key 'tlsCertificate': "
                        + missing + ": no such file; frontend missing not started"), 20_000);
                assertEquals("CN=default.example", TlsTools.awaitSubject(port, null, "CN=default.example"));

                // a running frontend: a key that belongs to another certificate
                byte[] goodKey = Files.readAllBytes(certs.resolve("default.key"));
                int mark = rt.output.size();
                TlsTools.write(certs.resolve("default.key"), Files.readAllBytes(other.resolve("stranger.key")));
                rt.awaitOutput(mark, l -> l.contains("frontend tls: TLS reload rejected: key 'tlsKey': " + certs.resolve("default.key")
                        + ": the private key does not belong to the certificate in " + certs.resolve("default.pem")), 20_000);
                assertEquals("CN=default.example", TlsTools.sClient(port, null, TlsTools.get("x")).subject());
                assertTrue(TlsTools.sClient(port, null, TlsTools.get("x")).response().endsWith("ok\n"));
                TlsTools.write(certs.resolve("default.key"), goodKey);

                // a certificate file that is no certificate
                mark = rt.output.size();
                TlsTools.write(certs.resolve("a.pem"), "not a certificate\n".getBytes(StandardCharsets.US_ASCII));
                rt.awaitOutput(mark, l -> l.contains("TLS reload rejected: key 'tlsSni': " + certs.resolve("a.pem")
                        + ": no PEM certificate in it"), 20_000);
                assertEquals("CN=a.example", TlsTools.sClient(port, "a.example", "").subject());

                // a file that cannot be read as one (a directory where the certificate was)
                Files.delete(certs.resolve("a.pem"));
                Files.createDirectory(certs.resolve("a.pem"));
                mark = rt.output.size();
                rt.awaitOutput(mark, l -> l.contains("TLS reload rejected: key 'tlsSni': " + certs.resolve("a.pem")
                        + ": is a directory, not a PEM file"), 20_000);
                assertEquals("CN=a.example", TlsTools.sClient(port, "a.example", "").subject());
                Files.delete(certs.resolve("a.pem"));

                // a missing file
                mark = rt.output.size();
                rt.awaitOutput(mark, l -> l.contains("TLS reload rejected: key 'tlsSni': " + certs.resolve("a.pem") + ": no such file"), 20_000);
                assertEquals("CN=a.example", TlsTools.sClient(port, "a.example", "").subject());

                // the configuration edited to a mismatched pair: rejected, the frontend keeps what it had
                mark = rt.output.size();
                write(rt.workDir.resolve("conf/io.switchboard.frontend-tls.cfg"), "address = 127.0.0.1\nport = " + port
                        + "\ncluster = web\ntlsCertificate = " + certs.resolve("default.pem") + "\ntlsKey = " + other.resolve("stranger.key") + "\n");
                rt.awaitOutput(mark, l -> l.contains("config rejected: conf/io.switchboard.frontend-tls.cfg: key 'tlsKey': "
                        + other.resolve("stranger.key") + ": the private key does not belong")
                        && l.contains("frontend tls keeps its previous configuration"), 20_000);
                assertEquals("CN=a.example", TlsTools.sClient(port, "a.example", "").subject());

                // good files again: the next handshakes get them
                TlsTools.certificate(certs, "a", "renewed-a.example", "a.example");
                assertEquals("CN=renewed-a.example", TlsTools.awaitSubject(port, "a.example", "CN=renewed-a.example"));
            }
        }
    }

    @Test
    void garbageSslv3AndUnknownNamesFailTheirHandshakeAloneAndAreLogged() throws Exception {
        ExternalTools.require("nginx", "openssl");
        Path certs = certificates();
        int port = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(1)) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + nginx.ports().get(0) + "\n");
            conf.put("io.switchboard.frontend-tls.cfg", tlsFrontend(port, "web", certs, "tlsUnknownSni = refuse\n"));
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(port, 60_000);
                assertEquals("CN=a.example", TlsTools.awaitSubject(port, "a.example", "CN=a.example"));
                // a keep-alive connection open before the bad ones, used after them
                try (SSLSocket kept = trustingClient(port, "a.example")) {
                    assertTrue(request(kept).endsWith("ok\n"));

                    // garbage: the connection ends without a TLS answer
                    byte[] garbage = new byte[512];
                    new SecureRandom().nextBytes(garbage);
                    garbage[0] = 0x16; // looks like a handshake record for the first byte
                    assertNoServerHello(port, garbage);
                    assertNoServerHello(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    // SSLv3: a ClientHello at version 3.0
                    assertNoServerHello(port, sslv3ClientHello());
                    // a name no certificate has, refused: no certificate is sent
                    TlsTools.Session unknown = TlsTools.sClient(port, "unknown.example", TlsTools.get("unknown.example"));
                    assertFalse(unknown.handshakeDone(), unknown.out());
                    assertNull(unknown.subject(), unknown.out());
                    assertNull(unknown.response(), unknown.out());
                    rt.awaitOutput(0, l -> l.contains("frontend tls: TLS handshake failed from /127.0.0.1:"), 10_000);
                    // each counted, though logged once per burst
                    String status = String.join("\n", rt.command("sb:tls", 20_000));
                    java.util.regex.Matcher failed = java.util.regex.Pattern.compile("failed (\\d+) \\(refused names (\\d+)\\)").matcher(status);
                    assertTrue(failed.find(), status);
                    assertTrue(Integer.parseInt(failed.group(1)) >= 4, status);
                    assertEquals("1", failed.group(2), status);

                    // the connection opened before still serves, and new good handshakes too
                    assertTrue(request(kept).endsWith("ok\n"));
                    assertEquals("CN=a.example", TlsTools.sClient(port, "a.example", "").subject());
                    assertEquals("CN=default.example", TlsTools.sClient(port, null, "").subject()); // no SNI: the default certificate
                }
            }
        }
    }

    @Test
    void tcpFrontendRoutesBySniWithoutTerminatingTls() throws Exception {
        ExternalTools.require("nginx", "openssl");
        Path certs = certificates();
        int edge = RuntimeProcess.freePort();
        int siteA = RuntimeProcess.freePort();
        int siteB = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(1)) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + nginx.ports().get(0) + "\n");
            // two back-ends that speak TLS, each with its own certificate: here two frontends of the same runtime
            conf.put("io.switchboard.frontend-sitea.cfg", "address = 127.0.0.1\nport = " + siteA + "\ncluster = web\ntlsCertificate = "
                    + certs.resolve("a.pem") + "\ntlsKey = " + certs.resolve("a.key") + "\n");
            conf.put("io.switchboard.frontend-siteb.cfg", "address = 127.0.0.1\nport = " + siteB + "\ncluster = web\ntlsCertificate = "
                    + certs.resolve("b.pem") + "\ntlsKey = " + certs.resolve("b.key") + "\n");
            conf.put("io.switchboard.cluster-ca.cfg", "endpoints = 127.0.0.1:" + siteA + "\n");
            conf.put("io.switchboard.cluster-cb.cfg", "endpoints = 127.0.0.1:" + siteB + "\n");
            conf.put("io.switchboard.frontend-edge.cfg", "protocol = tcp\naddress = 127.0.0.1\nport = " + edge
                    + "\ncluster = ca\nsniClusters = b.example=cb, *.b.example=cb\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(edge, 60_000);
                rt.awaitPort(siteA, 20_000);
                rt.awaitPort(siteB, 20_000);
                for (String[] c : new String[][] {{"b.example", "CN=b.example"}, {"www.b.example", "CN=b.example"},
                        {"a.example", "CN=a.example"}, {"unknown.example", "CN=a.example"}, {null, "CN=a.example"}}) {
                    TlsTools.Session s = TlsTools.sClient(edge, c[0], TlsTools.get(c[0] == null ? "x" : c[0]));
                    assertEquals(c[1], s.subject(), c[0] + ": " + s.out() + s.err());
                    assertTrue(s.response() != null && s.response().endsWith("\r\n\r\nok\n"), c[0] + ": " + s.out());
                }
                // not TLS at all: the frontend's cluster, bytes as they are (that back-end wants TLS and closes)
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), edge)) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("hello\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertNotEquals(0x16, s.getInputStream().read());
                }
            }
        }
    }

    @Test
    void tlsBundleUpdatedAndRefreshedUnderHttpsLoadLosesNothing() throws Exception {
        ExternalTools.require("nginx", "openssl", "wrk");
        Path certs = certificates();
        int port = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(1)) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + nginx.ports().get(0) + "\n");
            conf.put("io.switchboard.frontend-tls.cfg", tlsFrontend(port, "web", certs, ""));
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(port, 60_000);
                assertEquals("CN=a.example", TlsTools.awaitSubject(port, "a.example", "CN=a.example"));
                WrkRun wrk = WrkRun.start("https://127.0.0.1:" + port + "/", 32, 120);
                Thread.sleep(3_000);
                for (int i = 0; i < 3; i++) {
                    int mark = rt.output.size();
                    rt.updateAndRefresh("io.switchboard.tls");
                    rt.awaitOutput(mark, l -> l.contains("frontend tls: TLS TLSv1.2, TLSv1.3 on openssl"), 20_000);
                    Thread.sleep(2_000);
                    assertEquals("CN=a.example", TlsTools.sClient(port, "a.example", "").subject());
                }
                List<String> answer = rt.command("sb:update io.switchboard.tls", 60_000);
                assertTrue(answer.stream().anyMatch(l -> l.contains("updated io.switchboard.tls")), answer.toString());
                Thread.sleep(2_000);
                // the transport and the HTTP handler under the same load: TLS frontends are handed over with them
                for (String bundle : List.of("io.switchboard.transport", "io.switchboard.handler.http")) {
                    rt.updateAndRefresh(bundle);
                    Thread.sleep(2_000);
                    assertEquals("CN=a.example", TlsTools.sClient(port, "a.example", "").subject(), bundle);
                }
                WrkRun.Summary s = wrk.stop();
                System.out.println("[tls] io.switchboard.tls updated 4 times, the transport and the HTTP handler once, under https load: " + s.requests() + " requests, "
                        + s.non2xx() + " non-2xx, " + s.socketErrors() + " socket errors");
                assertTrue(s.requests() > 100, s.text());
                assertEquals(0, s.non2xx(), s.text());
                assertEquals(0, s.socketErrors(), s.text());
                // a certificate change is still seen by the new version's watch
                TlsTools.certificate(certs, "a", "after-update.example", "a.example");
                assertEquals("CN=after-update.example", TlsTools.awaitSubject(port, "a.example", "CN=after-update.example"));
                rt.awaitOutput(0, l -> l.contains("frontend tls: TLS certificates reloaded"), 20_000);
                String status = String.join("\n", rt.command("sb:tls", 20_000));
                assertTrue(status.contains("TLS engine openssl") && status.contains("frontend tls: TLSv1.2, TLSv1.3, ALPN http/1.1")
                        && status.contains("a.example: CN=after-update.example"), status);
                assertTrue(status.matches("(?s).*handshakes [1-9][0-9]*, failed 0 .*"), status);
            }
        }
    }

    @Test
    void theJdkEngineServesWhenOpenSslIsNotUsedAndSaysWhyOnce() throws Exception {
        ExternalTools.require("nginx", "openssl");
        Path certs = certificates();
        int port = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(1)) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + nginx.ports().get(0) + "\n");
            conf.put("io.switchboard.frontend-tls.cfg", tlsFrontend(port, "web", certs, ""));
            try (RuntimeProcess rt = new RuntimeProcess(conf, "-Dswitchboard.tls.engine=jdk")) {
                rt.awaitPort(port, 60_000);
                rt.awaitOutput("WARN  io.switchboard.tls: TLS engine jdk (fallback): switchboard.tls.engine=jdk");
                TlsTools.Session b = TlsTools.sClient(port, "www.b.example", TlsTools.get("www.b.example"));
                assertEquals("CN=b.example", b.subject(), b.out());
                assertTrue(b.response().endsWith("\r\n\r\nok\n"), b.out());
                assertTrue(TlsTools.sClient(port, "a.example", "", "-tls1_2").out().contains("Protocol  : TLSv1.2"));
                assertEquals(1, rt.output.stream().filter(l -> l.contains("TLS engine jdk (fallback)")).count());
            }
        }
    }

    // ---- clients ----

    /** Sends the bytes as a client's first flight; the server must not answer with a handshake (a ServerHello record). */
    private static void assertNoServerHello(int port, byte[] hello) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(hello);
            s.getOutputStream().flush();
            int first;
            try {
                first = s.getInputStream().read();
            } catch (java.net.SocketException e) {
                first = -1; // reset
            }
            assertTrue(first == -1 || first == 0x15, "expected the connection to end, or an alert; got a record of type " + first);
        }
    }

    /** A ClientHello of SSL 3.0 (record and hello versions 3.0) offering TLS_RSA_WITH_AES_128_CBC_SHA. */
    private static byte[] sslv3ClientHello() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(3);
        body.write(0);
        body.writeBytes(random);
        body.write(0);                                     // no session id
        body.writeBytes(new byte[] {0, 2, 0, 0x2f});       // one cipher suite
        body.writeBytes(new byte[] {1, 0});                // no compression
        byte[] b = body.toByteArray();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x16, 3, 0, 0, (byte) (b.length + 4), 1, 0, 0, (byte) b.length});
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static SSLSocket trustingClient(int port, String sni) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, new SecureRandom());
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    /** One keep-alive request on the connection; returns the response (nginx's "ok\n" has a Content-Length). */
    private static String request(SSLSocket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new AssertionError("connection closed: " + head);
            }
            head.append((char) c);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        assertTrue(m.find(), head.toString());
        byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
        return head + new String(body, StandardCharsets.ISO_8859_1);
    }
}
