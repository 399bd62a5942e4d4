package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * A back-end response head, parsed: its bytes, the status, how its body is framed, whether the
 * back-end keeps the connection open, and which header lines go on to the client. The bytes are the
 * reader's scratch array, and the head itself is the reader's, refilled for each response: a head is
 * valid only during the listener call that hands it over. The client
 * gets the back-end's own bytes, minus the hop-by-hop lines, with the status line's version made
 * HTTP/1.1 and the proxy's own Connection header: no header objects, no re-encoding.
 */
final class ResponseHead {
    /** How the body after the head ends. */
    enum Body { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private static final byte[] HTTP_11 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "Connection: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VIA = "Via: ".getBytes(StandardCharsets.US_ASCII);

    int status;
    Body body;
    long contentLength;
    /** The back-end keeps the connection open after this response. */
    boolean persistent;
    /** Bytes of the head, its empty line included: the body starts after them. */
    int length;
    private byte[] bytes;
    /**
     * Start and end (exclusive) of each range of {@link #bytes} that goes on, pairwise: first the
     * status line from its status code to its CRLF (the client's line starts with "HTTP/1.1 "),
     * then each header line kept, CRLF included. The parser fills it in place ({@link #ranges}).
     */
    private int[] kept = new int[16];
    private int keptCount;
    private int keptBytes;
    /** The Transfer-Encoding line (start, end), kept apart: a client that cannot take chunks gets the body without it. */
    private int transferEncodingStart;
    private int transferEncodingEnd;
    /** A 101's Upgrade value (what the back-end switched to); null for any other status, or none sent. */
    String upgrade;

    /** The array the parser writes the kept ranges into: this head's, unless {@link #set} is given a larger one. */
    int[] ranges() {
        return kept;
    }

    /**
     * Fills this head with a parsed one. One head serves every response of its back-end connection
     * (they come one at a time, and a head is only read during the listener call that hands it over).
     */
    ResponseHead set(int status, Body body, long contentLength, boolean persistent, byte[] bytes, int length, int[] kept,
                     int keptCount, int transferEncodingStart, int transferEncodingEnd, String upgrade) {
        this.upgrade = upgrade;
        this.transferEncodingStart = transferEncodingStart;
        this.transferEncodingEnd = transferEncodingEnd;
        this.status = status;
        this.body = body;
        this.contentLength = contentLength;
        this.persistent = persistent;
        this.bytes = bytes;
        this.length = length;
        this.kept = kept;
        this.keptCount = keptCount;
        int n = 0;
        for (int i = 0; i < keptCount; i += 2) {
            n += kept[i + 1] - kept[i];
        }
        this.keptBytes = n;
        return this;
    }

    boolean informational() {
        return status < 200;
    }

    /** 101 Switching Protocols: after this head the connection is no longer HTTP. */
    boolean switching() {
        return status == 101;
    }

    /**
     * The head as the client gets it, with {@code Connection: <connection>} and {@code Via: <via>}
     * added when those are not null (a Via line of the back-end's stays before it).
     */
    ByteBuf encode(ByteBufAllocator alloc, String connection, String via) {
        return encode(alloc, connection, via, false);
    }

    /** As {@link #encode(ByteBufAllocator, String, String)}; {@code dechunked} leaves Transfer-Encoding out. */
    ByteBuf encode(ByteBufAllocator alloc, String connection, String via, boolean dechunked) {
        int te = dechunked ? 0 : transferEncodingEnd - transferEncodingStart;
        int size = HTTP_11.length + keptBytes + te + 2
                + (connection == null ? 0 : CONNECTION.length + connection.length() + 2)
                + (via == null ? 0 : VIA.length + via.length() + 2);
        ByteBuf out = alloc.buffer(size);
        out.writeBytes(HTTP_11);
        for (int i = 0; i < keptCount; i += 2) {
            out.writeBytes(bytes, kept[i], kept[i + 1] - kept[i]);
        }
        if (te > 0) {
            out.writeBytes(bytes, transferEncodingStart, te);
        }
        if (connection != null) {
            out.writeBytes(CONNECTION);
            out.writeCharSequence(connection, StandardCharsets.US_ASCII);
            out.writeByte('\r').writeByte('\n');
        }
        if (via != null) {
            out.writeBytes(VIA);
            out.writeCharSequence(via, StandardCharsets.US_ASCII);
            out.writeByte('\r').writeByte('\n');
        }
        out.writeByte('\r').writeByte('\n');
        return out;
    }
}
