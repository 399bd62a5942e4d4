package io.switchboard.api.tls;

import io.netty.util.AttributeKey;

/** What protocols may read of a connection's TLS. */
public final class Tls {
    /**
     * The name of the terminating handler in a connection's pipeline. Before the handshake it
     * reads the ClientHello; once the certificate is chosen it is Netty's {@code SslHandler} under
     * the same name (whose {@code applicationProtocol()} gives the ALPN result after the handshake).
     */
    public static final String HANDLER = "tls";

    /** The server name the client asked for (SNI, lower case), set before the handshake completes; absent without SNI. */
    public static final AttributeKey<String> SNI = AttributeKey.valueOf("switchboard.tls.sni");

    private Tls() {
    }
}
