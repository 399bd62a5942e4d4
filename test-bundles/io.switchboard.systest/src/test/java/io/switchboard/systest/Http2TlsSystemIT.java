package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 over TLS through the exported runtime: the TLS termination offers {@code h2} by ALPN, the
 * HTTP protocol serves what ALPN chose. curl with {@code --http2} gets HTTP/2 byte for byte, curl with
 * {@code --http1.1} HTTP/1.1 on the same port, and h2load over https runs many streams per connection
 * without a failure. A frontend that does not offer h2 gives an ALPN client HTTP/1.1.
 */
class Http2TlsSystemIT {

    @Test
    void curlAndH2loadSpeakHttp2OverTlsWhenAlpnOffersIt() throws Exception {
        ExternalTools.require("nginx", "curl", "h2load", "openssl");
        Path certs = Files.createTempDirectory("sb-h2tls");
        TlsTools.certificate(certs, "default", "localhost");
        int h2 = RuntimeProcess.freePort();
        int h1 = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(2)) {
            byte[] big = new byte[4 << 20];
            new Random(5).nextBytes(big);
            Files.write(nginx.files().resolve("big.bin"), big);
            List<Integer> be = nginx.ports();
            String tls = "tlsCertificate = " + certs.resolve("default.pem") + "\ntlsKey = " + certs.resolve("default.key") + "\n";
            Map<String, String> conf = Map.of(
                    "io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + be.get(0) + ", 127.0.0.1:" + be.get(1) + "\n",
                    "io.switchboard.frontend-h2.cfg", "address = 127.0.0.1\nport = " + h2 + "\ncluster = web\n" + tls + "alpn = h2, http/1.1\n",
                    "io.switchboard.frontend-h1.cfg", "address = 127.0.0.1\nport = " + h1 + "\ncluster = web\n" + tls);
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(h2, 60_000);
                rt.awaitPort(h1, 60_000);
                String base = "https://127.0.0.1:" + h2;

                String small = Http2SystemIT.run(List.of("curl", "-sSk", "--http2", "-D", "-", base + "/"), 30);
                assertTrue(small.startsWith("HTTP/2 200"), small);
                assertTrue(small.endsWith("\r\n\r\nok\n"), small);
                String old = Http2SystemIT.run(List.of("curl", "-sSk", "--http1.1", "-D", "-", base + "/"), 30);
                assertTrue(old.startsWith("HTTP/1.1 200"), old);
                assertTrue(old.endsWith("\r\n\r\nok\n"), old);

                Path out = Files.createTempDirectory("sb-h2tls-out");
                Http2SystemIT.run(List.of("curl", "-sSk", "--http2", "-o", out.resolve("big").toString(), base + "/files/big.bin"), 60);
                assertArrayEquals(big, Files.readAllBytes(out.resolve("big")), "4 MiB byte for byte over h2 and TLS");

                String load = Http2SystemIT.run(List.of("h2load", "-n", "20000", "-c", "8", "-m", "10", base + "/"), 120);
                assertTrue(load.contains("Application protocol: h2"), load);
                Http2SystemIT.assertNoFailure(load, 20000);

                // Without "alpn = h2, ..." the frontend stays HTTP/1.1 even for a client that asks for h2.
                String plain = Http2SystemIT.run(List.of("curl", "-sSk", "--http2", "-D", "-", "https://127.0.0.1:" + h1 + "/"), 30);
                assertTrue(plain.startsWith("HTTP/1.1 200"), plain);
            }
        }
    }
}
