package io.switchboard.transport.impl.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * A back-end response head, parsed in place: its bytes, the status, how its body is framed, whether
 * the back-end keeps the connection open, and which header lines go on to the client. The client
 * gets the back-end's own bytes, minus the hop-by-hop lines, with the status line's version made
 * HTTP/1.1 and the proxy's own Connection header: no header objects, no re-encoding.
 */
final class ResponseHead {
    /** How the body after the head ends. */
    enum Body { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private static final byte[] HTTP_11 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "Connection: ".getBytes(StandardCharsets.US_ASCII);

    final int status;
    final Body body;
    final long contentLength;
    /** The back-end keeps the connection open after this response. */
    final boolean persistent;
    private final ByteBuf bytes;
    /**
     * Start and end (exclusive) of each range of {@link #bytes} that goes on, pairwise: first the
     * status line from its status code to its CRLF (the client's line starts with "HTTP/1.1 "),
     * then each header line kept, CRLF included.
     */
    private final int[] kept;
    private final int keptCount;
    private final int keptBytes;

    ResponseHead(int status, Body body, long contentLength, boolean persistent, ByteBuf bytes, int[] kept, int keptCount) {
        this.status = status;
        this.body = body;
        this.contentLength = contentLength;
        this.persistent = persistent;
        this.bytes = bytes;
        this.kept = kept;
        this.keptCount = keptCount;
        int n = 0;
        for (int i = 0; i < keptCount; i += 2) {
            n += kept[i + 1] - kept[i];
        }
        this.keptBytes = n;
    }

    boolean informational() {
        return status < 200;
    }

    /**
     * The head as the client gets it, with {@code Connection: <connection>} added when that is not
     * null. Releases this head's bytes: call once.
     */
    ByteBuf encode(ByteBufAllocator alloc, String connection) {
        int size = HTTP_11.length + keptBytes + 2
                + (connection == null ? 0 : CONNECTION.length + connection.length() + 2);
        ByteBuf out = alloc.buffer(size);
        try {
            out.writeBytes(HTTP_11);
            for (int i = 0; i < keptCount; i += 2) {
                out.writeBytes(bytes, kept[i], kept[i + 1] - kept[i]);
            }
            if (connection != null) {
                out.writeBytes(CONNECTION);
                out.writeCharSequence(connection, StandardCharsets.US_ASCII);
                out.writeByte('\r').writeByte('\n');
            }
            out.writeByte('\r').writeByte('\n');
            return out;
        } finally {
            bytes.release();
        }
    }

    void release() {
        bytes.release();
    }
}
