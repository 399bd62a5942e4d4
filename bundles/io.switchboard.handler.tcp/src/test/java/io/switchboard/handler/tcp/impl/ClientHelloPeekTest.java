package io.switchboard.handler.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** The server name read from real ClientHellos (the JDK's TLS client writes them), and from bytes that are not one. */
class ClientHelloPeekTest {

    private static ByteBuf clientHello(String sni) throws Exception {
        SSLEngine e = SSLContext.getDefault().createSSLEngine("ignored", 443);
        e.setUseClientMode(true);
        if (sni != null) {
            SSLParameters p = e.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(sni)));
            e.setSSLParameters(p);
        }
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return Unpooled.wrappedBuffer(out);
    }

    @Test
    void readsTheServerNameOfAWholeClientHello() throws Exception {
        ByteBuf hello = clientHello("Shop.Example.com");
        assertEquals(ClientHelloPeek.State.DONE, ClientHelloPeek.state(hello));
        assertEquals("shop.example.com", ClientHelloPeek.serverName(hello));
        assertEquals(0, hello.readerIndex(), "the bytes stay as they are, to go on to the back-end");
    }

    @Test
    void waitsForTheRestOfTheRecord() throws Exception {
        ByteBuf hello = clientHello("a.example");
        for (int cut : new int[] {1, 4, 5, 40, hello.readableBytes() - 1}) {
            assertEquals(ClientHelloPeek.State.MORE, ClientHelloPeek.state(hello.slice(0, cut)), "after " + cut + " bytes");
        }
        for (int cut : new int[] {1, 4, 5, 40}) { // cut before the extensions: no name, and no exception
            assertNull(ClientHelloPeek.serverName(hello.slice(0, cut)));
        }
    }

    @Test
    void noNameWithoutSniOrWithoutTls() throws Exception {
        assertNull(ClientHelloPeek.serverName(clientHello(null)));
        ByteBuf http = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII);
        assertEquals(ClientHelloPeek.State.DONE, ClientHelloPeek.state(http));
        assertNull(ClientHelloPeek.serverName(http));
        ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {0x16, 3, 1, 0, 9, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, 3, 3, 0, 0, 0});
        assertNull(ClientHelloPeek.serverName(garbage));
    }

    @Test
    void sniClustersByExactNameThenWildcard() {
        SniClusters s = SniClusters.parse(List.of("shop.example.com=shop", "*.example.com=sites", "*.api.example.com=api"));
        assertEquals("shop", s.cluster("shop.example.com"));
        assertEquals("sites", s.cluster("www.example.com"));
        assertEquals("api", s.cluster("v1.api.example.com"));
        assertNull(s.cluster("example.com"));
        assertNull(s.cluster("other.org"));
        assertNull(s.cluster(null));
        assertThrows(IllegalArgumentException.class, () -> SniClusters.parse(List.of("shop.example.com")));
        assertThrows(IllegalArgumentException.class, () -> SniClusters.parse(List.of("bad name=web")));
        assertThrows(IllegalArgumentException.class, () -> SniClusters.parse(List.of("a.example=web", "A.example=api")));
    }
}
