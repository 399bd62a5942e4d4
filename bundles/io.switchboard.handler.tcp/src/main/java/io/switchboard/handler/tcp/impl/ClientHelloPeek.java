package io.switchboard.handler.tcp.impl;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the server name (SNI) from the first TLS record of a connection without terminating TLS:
 * the bytes stay as they are and go on to the back-end. Only the first record is read (a ClientHello
 * spread over several records is rare; its name, if cut off, counts as none).
 */
final class ClientHelloPeek {
    /** The most bytes a first record can take (16 KiB of payload and its header). */
    static final int MAX_RECORD = 5 + 16384;

    /** What the bytes so far tell. */
    enum State { MORE, DONE }

    private ClientHelloPeek() {
    }

    /** Whether the bytes so far are enough: a whole first record, or clearly not TLS. */
    static State state(ByteBuf b) {
        int i = b.readerIndex();
        int n = b.readableBytes();
        if (n < 5) {
            return n == 0 || b.getUnsignedByte(i) == 0x16 ? State.MORE : State.DONE;
        }
        if (b.getUnsignedByte(i) != 0x16 || b.getUnsignedByte(i + 1) != 3) {
            return State.DONE;
        }
        int length = b.getUnsignedShort(i + 3);
        return n >= 5 + length ? State.DONE : State.MORE;
    }

    /** The server name in a ClientHello at the start of the bytes, lower case; null when there is none or it is not TLS. */
    static String serverName(ByteBuf b) {
        try {
            int i = b.readerIndex();
            int end = b.writerIndex();
            if (end - i < 5 || b.getUnsignedByte(i) != 0x16 || b.getUnsignedByte(i + 1) != 3) {
                return null;
            }
            end = Math.min(end, i + 5 + b.getUnsignedShort(i + 3));
            int p = i + 5;
            if (b.getUnsignedByte(p) != 1) { // not a ClientHello
                return null;
            }
            p += 4;          // type, length
            p += 2 + 32;     // client version, random
            p += 1 + b.getUnsignedByte(p);          // session id
            p += 2 + b.getUnsignedShort(p);         // cipher suites
            p += 1 + b.getUnsignedByte(p);          // compression methods
            if (p + 2 > end) {
                return null;
            }
            int extEnd = Math.min(end, p + 2 + b.getUnsignedShort(p));
            p += 2;
            while (p + 4 <= extEnd) {
                int type = b.getUnsignedShort(p);
                int len = b.getUnsignedShort(p + 2);
                p += 4;
                if (type == 0) { // server_name: list length, then entries of type, length, name
                    int q = p + 2;
                    int listEnd = Math.min(p + len, extEnd);
                    while (q + 3 <= listEnd) {
                        int nameType = b.getUnsignedByte(q);
                        int nameLen = b.getUnsignedShort(q + 1);
                        if (nameType == 0 && q + 3 + nameLen <= listEnd && nameLen > 0) {
                            return b.toString(q + 3, nameLen, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
                        }
                        q += 3 + nameLen;
                    }
                    return null;
                }
                p += len;
            }
            return null;
        } catch (IndexOutOfBoundsException e) {
            return null; // cut short
        }
    }
}
