package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TLS from the exported runtime to nginx ({@code listen ... ssl}) with a certificate made by openssl
 * in the test, signed by a CA of the test's: verified against that CA it serves; against another CA,
 * or for a name the certificate does not carry, the request gets a 502 and the log says why; with
 * {@code tlsVerify = none} it serves. A cluster that asks for TLS without saying how to verify, or
 * names a CA file that is not there, is rejected naming the key.
 */
class BackendTlsSystemIT {

    @Test
    void verifiedRefusedAndUnverifiedTlsToNginx() throws Exception {
        ExternalTools.require("nginx", "openssl");
        Path dir = Files.createTempDirectory("sb-backendtls");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
                "-keyout", "ca.key", "-out", "ca.pem");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA",
                "-keyout", "other.key", "-out", "other-ca.pem");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=backend.test", "-keyout", "server.key", "-out", "server.csr");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:backend.test,IP:127.0.0.1\n");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-extfile", "san.ext", "-out", "server.pem");

        int nginxPort = RuntimeProcess.freePort();
        String nginxConf = "worker_processes 1; daemon off; pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 256; }\n"
                + "http { access_log off;\n" + tempPaths(dir)
                + "  server { listen 127.0.0.1:" + nginxPort + " ssl;\n"
                + "    ssl_certificate " + dir.resolve("server.pem") + "; ssl_certificate_key " + dir.resolve("server.key") + ";\n"
                + "    location / { return 200 \"tls $ssl_protocol $ssl_server_name\\n\"; } }\n}\n";
        Files.writeString(dir.resolve("nginx.conf"), nginxConf);

        String endpoint = "endpoints = 127.0.0.1:" + nginxPort + "\n";
        Map<String, String> conf = new LinkedHashMap<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, String> clusters = Map.of(
                "good", "tls = true\ntlsVerify = ca\ntlsCaFile = " + dir.resolve("ca.pem") + "\ntlsServerName = backend.test\n",
                "byip", "tls = true\ntlsVerify = ca\ntlsCaFile = " + dir.resolve("ca.pem") + "\n",
                "wrongca", "tls = true\ntlsVerify = ca\ntlsCaFile = " + dir.resolve("other-ca.pem") + "\ntlsServerName = backend.test\n",
                "wrongname", "tls = true\ntlsVerify = ca\ntlsCaFile = " + dir.resolve("ca.pem") + "\ntlsServerName = other.test\n",
                "noverify", "tls = true\ntlsVerify = none\ntlsServerName = whatever.test\n");
        for (Map.Entry<String, String> c : clusters.entrySet()) {
            int port = RuntimeProcess.freePort();
            ports.put(c.getKey(), port);
            conf.put("io.switchboard.cluster-" + c.getKey() + ".cfg", endpoint + "retries = 0\nmaxFails = 0\n" + c.getValue());
            conf.put("io.switchboard.frontend-" + c.getKey() + ".cfg", "address = 127.0.0.1\nport = " + port + "\ncluster = " + c.getKey() + "\n");
        }
        // TCP relays to the same clusters: a raw HTTP/1.0 exchange through TLS
        int tcpGood = RuntimeProcess.freePort();
        int tcpWrongCa = RuntimeProcess.freePort();
        conf.put("io.switchboard.frontend-tcpgood.cfg", "protocol = tcp\naddress = 127.0.0.1\nport = " + tcpGood + "\ncluster = good\n");
        conf.put("io.switchboard.frontend-tcpwrongca.cfg", "protocol = tcp\naddress = 127.0.0.1\nport = " + tcpWrongCa + "\ncluster = wrongca\n");
        conf.put("io.switchboard.cluster-nover.cfg", endpoint + "tls = true\n");
        conf.put("io.switchboard.cluster-nofile.cfg", endpoint + "tls = true\ntlsVerify = ca\ntlsCaFile = " + dir.resolve("missing.pem") + "\n");
        Process nginx = new ProcessBuilder(ExternalTools.find("nginx").getPath(), "-p", dir.toString(), "-c",
                dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        try (RuntimeProcess rt = new RuntimeProcess(conf, "-Dswitchboard.demo=false")) {
            for (int port : ports.values()) {
                rt.awaitPort(port, 60_000);
            }
            rt.awaitOutput("cluster noverify");
            String ok = get(ports.get("good"));
            assertTrue(ok.startsWith("HTTP/1.1 200") && ok.endsWith("backend.test\n"), "verified against the right CA, SNI sent: " + ok);
            assertTrue(ok.contains("tls TLSv1.3") || ok.contains("tls TLSv1.2"), ok);
            assertTrue(get(ports.get("good")).startsWith("HTTP/1.1 200"), "a second request (a pooled TLS connection)");
            String byIp = get(ports.get("byip"));
            assertTrue(byIp.startsWith("HTTP/1.1 200"), "the endpoint's address is the name checked by default (IP SAN): " + byIp);

            String wrongCa = get(ports.get("wrongca"));
            assertTrue(wrongCa.startsWith("HTTP/1.1 502"), wrongCa);
            String why = rt.awaitOutput("frontend wrongca answered 502");
            assertTrue(why.contains("TLS handshake with") && why.contains("backend.test"), why);

            Thread.sleep(10_500); // the proxy's own errors are logged once per 10 s burst
            String wrongName = get(ports.get("wrongname"));
            assertTrue(wrongName.startsWith("HTTP/1.1 502"), wrongName);
            String nameWhy = rt.awaitOutput("frontend wrongname answered 502");
            assertTrue(nameWhy.contains("TLS handshake with") && nameWhy.contains("other.test"), nameWhy);

            String none = get(ports.get("noverify"));
            assertTrue(none.startsWith("HTTP/1.1 200") && none.endsWith("whatever.test\n"), "tlsVerify = none serves: " + none);

            rt.awaitPort(tcpGood, 60_000);
            rt.awaitPort(tcpWrongCa, 60_000);
            String tcpOk = get(tcpGood, "GET / HTTP/1.0\r\nHost: test\r\n\r\n", false);
            assertTrue(tcpOk.startsWith("HTTP/1.1 200") && tcpOk.endsWith("backend.test\n"), "a TCP relay over verified TLS: " + tcpOk);
            String tcpHalfClosed = get(tcpGood, "GET / HTTP/1.0\r\nHost: test\r\n\r\n", true);
            assertTrue(tcpHalfClosed.startsWith("HTTP/1.1 200"), "the request, then the client's half-close (close_notify): " + tcpHalfClosed);
            String tcpRefused = get(tcpWrongCa, "GET / HTTP/1.0\r\nHost: test\r\n\r\n", false);
            assertEquals("", tcpRefused, "a relay whose endpoint fails verification closes with nothing");
            String tcpWhy = rt.awaitOutput("frontend tcpwrongca: relay closed: TLS handshake with");
            assertTrue(tcpWhy.contains("backend.test"), tcpWhy);

            String nover = rt.awaitOutput("io.switchboard.cluster-nover.cfg");
            assertTrue(nover.contains("config rejected") && nover.contains("key 'tlsVerify'"), nover);
            String nofile = rt.awaitOutput("io.switchboard.cluster-nofile.cfg");
            assertTrue(nofile.contains("config rejected") && nofile.contains("key 'tlsCaFile'") && nofile.contains("missing.pem"), nofile);
            rt.awaitOutput("TLS to back-ends with the ");
            System.out.println("[systest] backend TLS: " + rt.awaitOutput("TLS to back-ends with the ") + "; refused: " + why);
        } finally {
            nginx.destroy();
            nginx.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(ExternalTools.find("openssl").getPath());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + out);
    }

    private static String tempPaths(Path dir) {
        StringBuilder b = new StringBuilder();
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            b.append("  ").append(temp).append("_temp_path ").append(dir.resolve(temp)).append(";\n");
        }
        return b.toString();
    }

    private static String get(int port) throws IOException {
        return get(port, "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", false);
    }

    /** Sends the request (then half-closes, if asked) and reads to the end; a reset reads as the end. */
    private static String get(int port, String request, boolean halfClose) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (halfClose) {
                s.shutdownOutput();
            }
            InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            try {
                in.transferTo(got);
            } catch (java.net.SocketException reset) {
                // closed with a reset
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
