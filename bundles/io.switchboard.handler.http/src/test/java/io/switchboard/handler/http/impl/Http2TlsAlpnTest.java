package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.StreamBinding;
import io.switchboard.api.transport.StreamProtocol;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 by ALPN over TLS, to the contract the TLS termination keeps: its {@code SslHandler} sits
 * in the pipeline as {@code "tls"} before the protocol's handlers, and the protocol picks HTTP/2 or
 * HTTP/1.1 from the protocol ALPN chose. The terminating handler here is the test's own (a
 * certificate made with openssl), put in front of the real {@link HttpProtocol}; curl is the client.
 */
class Http2TlsAlpnTest {
    @TempDir
    Path dir;
    private HttpBackend one;
    private DataPlane plane;
    private int port;

    @BeforeEach
    void start() throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl made the certificate");
        SslContext tls = SslContextBuilder.forServer(dir.resolve("cert.pem").toFile(), dir.resolve("key.pem").toFile())
                .sslProvider(SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
        one = new HttpBackend("one");
        HttpProtocol http = HttpProtocol.with(new TestClusters().put("web", new Endpoint("one", "127.0.0.1", one.port(), 1)));
        plane = new DataPlane();
        plane.protocol("tls-http", new TlsInFront(tls, http));
        port = plane.frontend(new FrontendSpec("tls", "tls-http", "127.0.0.1", 0, "web", Map.of(), Map.of(), null));
    }

    @AfterEach
    void stop() throws Exception {
        plane.close();
        one.close();
    }

    @Test
    void alpnH2IsServedAsHttp2AndHttp11AsHttp11() throws Exception {
        String h2 = curl("--http2", "/alpn-h2");
        assertTrue(h2.startsWith("HTTP/2 200"), h2);
        assertTrue(h2.endsWith("\r\n\r\none /alpn-h2\n"), h2);
        String h1 = curl("--http1.1", "/alpn-h1");
        assertTrue(h1.startsWith("HTTP/1.1 200 OK"), h1);
        assertTrue(h1.endsWith("\r\n\r\none /alpn-h1\n"), h1);
        assertEquals(2, one.requests());
    }

    private String curl(String version, String path) throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "-k", version, "-D", "-", "-o", "-", "https://localhost:" + port + path)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** A stand-in for the TLS termination: its handler first, as "tls", then the HTTP protocol's. */
    private static final class TlsInFront implements StreamProtocol {
        private final SslContext tls;
        private final HttpProtocol http;

        TlsInFront(SslContext tls, HttpProtocol http) {
            this.tls = tls;
            this.http = http;
        }

        @Override
        public Map<String, String> options() {
            return http.options();
        }

        @Override
        public StreamBinding bind(FrontendSpec frontend) {
            StreamBinding inner = http.bind(frontend);
            return connection -> {
                connection.channel().pipeline().addLast(HttpProtocol.TLS, tls.newHandler(connection.channel().alloc()));
                inner.accept(connection);
            };
        }
    }

}
