package io.switchboard.support.proxy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header a connection to a back-end starts with, when its cluster sends one
 * ({@code sendProxyProtocol = v1|v2}): it names the client and the address the client reached.
 * When one is IPv4 and the other IPv6, the IPv4 one is written IPv4-mapped, as TCP over IPv6.
 */
public final class ProxyHeader {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeader() {
    }

    /** The header of the version (1 or 2) for a connection from {@code client} to {@code destination}. */
    public static byte[] encode(int version, InetSocketAddress client, InetSocketAddress destination) {
        InetAddress src = client.getAddress();
        InetAddress dst = destination.getAddress();
        boolean v6 = src instanceof Inet6Address || dst instanceof Inet6Address;
        if (version == 1) {
            return ("PROXY " + (v6 ? "TCP6 " : "TCP4 ") + text(src, v6) + " " + text(dst, v6) + " " + client.getPort() + " "
                    + destination.getPort() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        if (version != 2) {
            throw new IllegalArgumentException("PROXY protocol version " + version);
        }
        int addressBytes = v6 ? 36 : 12;
        ByteBuffer b = ByteBuffer.allocate(16 + addressBytes);
        b.put(V2_SIGNATURE).put((byte) 0x21) // version 2, PROXY command
                .put((byte) (v6 ? 0x21 : 0x11)) // TCP over IPv6 or IPv4
                .putShort((short) addressBytes)
                .put(bytes(src, v6)).put(bytes(dst, v6))
                .putShort((short) client.getPort()).putShort((short) destination.getPort());
        return b.array();
    }

    private static byte[] bytes(InetAddress a, boolean v6) {
        byte[] raw = a.getAddress();
        if (!v6 || raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    private static String text(InetAddress a, boolean v6) {
        if (!v6 || !(a instanceof Inet4Address)) {
            String s = a.getHostAddress();
            int zone = s.indexOf('%');
            return zone < 0 ? s : s.substring(0, zone);
        }
        return "::ffff:" + a.getHostAddress();
    }
}
