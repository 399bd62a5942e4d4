package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a request to a back-end connection as bytes: the head in one buffer, copied from the byte
 * ranges of its {@link RequestHead}, the body as the buffers it came in (chunk lines around them for
 * a chunked request). Straight to the channel, without an encoder in the back-end connection's pipeline.
 *
 * <p>The head is rewritten on the way, in one pass over the client's header fields: hop-by-hop
 * fields (RFC 9110 §7.6.1: Connection and the fields it names, Keep-Alive, Proxy-Connection, TE,
 * Upgrade, Proxy-Authenticate) stay behind, and X-Forwarded-For, X-Forwarded-Proto and Forwarded
 * are replaced by the client's values with this hop added. The request itself is not changed, so a
 * retry writes the same head again.
 */
final class RequestEncoder {
    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();
    private static final ByteBuf LAST_CHUNK = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(5).writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();
    private static final byte[] HTTP_11 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    private RequestEncoder() {
    }

    /**
     * The request head as the back-end gets it; back-end connections always speak HTTP/1.1.
     *
     * @param clientIp the client's address as text
     * @param via the Via value this proxy adds, or null
     */
    static ByteBuf head(ByteBufAllocator alloc, RequestHead r, String clientIp, String via) {
        return head(alloc, r, clientIp, via, null, true, "http", false);
    }

    /**
     * Copies the head's byte ranges, leaving out what does not go on.
     *
     * @param defaultHost the Host an HTTP/1.0 request without one is sent with (the endpoint's
     *                    host:port): the back-end gets HTTP/1.1, which requires it; null: none added
     * @param dropUnderscores whether header names with an underscore stay behind: CGI and WSGI
     *                    back-ends read {@code Content_Length} as {@code Content-Length}
     * @param proto the scheme the client spoke ({@code https} on a frontend that terminates TLS)
     * @param upgrade the request asks for an upgrade the proxy forwards: its Upgrade field goes on,
     *                with {@code Connection: upgrade} (both hop-by-hop: this hop asks the next one again)
     */
    static ByteBuf head(ByteBufAllocator alloc, RequestHead r, String clientIp, String via, String defaultHost,
                        boolean dropUnderscores, String proto, boolean upgrade) {
        byte[] b = r.bytes;
        boolean connectionNames = hasConnectionNames(r);
        int firstXff = -1;
        int firstForwarded = -1;
        ByteBuf out = alloc.buffer(b.length + 128);
        out.writeBytes(b, 0, r.targetEnd); // method SP target
        out.writeBytes(HTTP_11);
        for (int i = 0; i < r.fieldCount; i++) {
            int nameAt = r.nameStart(i);
            int nameLength = r.nameLength(i);
            if (dropUnderscores && hasUnderscore(b, nameAt, nameLength)) {
                continue;
            }
            if (upgrade && r.named(i, "upgrade")) {
                writeField(out, r, i);
                continue;
            }
            switch (fieldKind(r, i, connectionNames)) {
                case DROP:
                    continue;
                case XFF:
                    if (firstXff < 0) {
                        firstXff = i;
                    }
                    continue;
                case FORWARDED:
                    if (firstForwarded < 0) {
                        firstForwarded = i;
                    }
                    continue;
                case CONTENT_LENGTH: {
                    // The canonical number (the scanner let only digits through): "010" reaches the back-end as "10".
                    int at = r.valueStart(i);
                    int n = r.valueLength(i);
                    while (n > 1 && b[at] == '0') {
                        at++;
                        n--;
                    }
                    out.writeBytes(b, nameAt, nameLength).writeByte(':').writeByte(' ');
                    out.writeBytes(b, at, n).writeByte('\r').writeByte('\n');
                    continue;
                }
                default:
                    writeField(out, r, i);
            }
        }
        if (defaultHost != null && !r.contains("host")) {
            writeField(out, "Host", defaultHost);
        }
        out.writeBytes(X_FORWARDED_FOR);
        writeValues(out, r, firstXff, "x-forwarded-for");
        out.writeCharSequence(clientIp, StandardCharsets.ISO_8859_1);
        out.writeByte('\r').writeByte('\n');
        writeField(out, "X-Forwarded-Proto", proto);
        out.writeBytes(FORWARDED_NAME);
        writeValues(out, r, firstForwarded, "forwarded");
        // RFC 7239: IPv6 addresses are quoted and bracketed.
        out.writeBytes(FOR);
        if (clientIp.indexOf(':') >= 0) {
            out.writeByte('"').writeByte('[').writeCharSequence(clientIp, StandardCharsets.ISO_8859_1);
            out.writeByte(']').writeByte('"');
        } else {
            out.writeCharSequence(clientIp, StandardCharsets.ISO_8859_1);
        }
        out.writeBytes(PROTO).writeCharSequence(proto, StandardCharsets.ISO_8859_1);
        out.writeByte('\r').writeByte('\n');
        if (via != null) {
            writeField(out, "Via", via);
        }
        if (upgrade) {
            writeField(out, "Connection", "upgrade");
        }
        out.writeByte('\r').writeByte('\n');
        return out;
    }

    private static final byte[] X_FORWARDED_FOR = "X-Forwarded-For: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FORWARDED_NAME = "Forwarded: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FOR = "for=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROTO = ";proto=".getBytes(StandardCharsets.US_ASCII);

    /** The client's values of a forwarding field from {@code first} on, each followed by ", " (this hop's comes after). */
    private static void writeValues(ByteBuf out, RequestHead r, int first, String lower) {
        if (first < 0) {
            return;
        }
        for (int i = first; i < r.fieldCount; i++) {
            if (r.named(i, lower)) {
                out.writeBytes(r.bytes, r.valueStart(i), r.valueLength(i)).writeByte(',').writeByte(' ');
            }
        }
    }

    private static final int KEEP = 0;
    private static final int DROP = 1;
    private static final int XFF = 2;
    private static final int FORWARDED = 3;
    private static final int CONTENT_LENGTH = 4;

    private static boolean hasUnderscore(byte[] b, int at, int length) {
        for (int i = at; i < at + length; i++) {
            if (b[i] == '_') {
                return true;
            }
        }
        return false;
    }

    /** Whether a Connection field names fields to remove (anything but close and keep-alive). */
    private static boolean hasConnectionNames(RequestHead r) {
        for (int i = 0; i < r.fieldCount; i++) {
            if (r.named(i, "connection") && r.valueLength(i) > 0) {
                return true;
            }
        }
        return false;
    }

    private static int fieldKind(RequestHead r, int i, boolean connectionNames) {
        byte[] b = r.bytes;
        int at = r.nameStart(i);
        int length = r.nameLength(i);
        if (HttpSyntax.hopByHop(b, at, length)) {
            return DROP;
        }
        switch (length) {
            case 9:
                if (HttpSyntax.named(b, at, "forwarded")) {
                    return FORWARDED;
                }
                break;
            case 14:
                if (HttpSyntax.named(b, at, "content-length")) {
                    return CONTENT_LENGTH;
                }
                break;
            case 15:
                if (HttpSyntax.named(b, at, "x-forwarded-for")) {
                    return XFF;
                }
                break;
            case 17:
                if (HttpSyntax.named(b, at, "x-forwarded-proto")) {
                    return DROP; // replaced by ours
                }
                break;
            default:
                break;
        }
        return connectionNames && namedByConnection(r, at, length) ? DROP : KEEP;
    }

    /**
     * Whether a Connection token names the field. A token never removes what frames or addresses the
     * request: Host, Content-Length, Transfer-Encoding (a client naming Host would otherwise send
     * HTTP/1.1 without it); close and keep-alive are options, not names.
     */
    private static boolean namedByConnection(RequestHead r, int nameAt, int nameLength) {
        byte[] b = r.bytes;
        if ((nameLength == 4 && HttpSyntax.named(b, nameAt, "host"))
                || (nameLength == 14 && HttpSyntax.named(b, nameAt, "content-length"))
                || (nameLength == 17 && HttpSyntax.named(b, nameAt, "transfer-encoding"))
                || (nameLength == 5 && HttpSyntax.named(b, nameAt, "close"))
                || (nameLength == 10 && HttpSyntax.named(b, nameAt, "keep-alive"))) {
            return false;
        }
        for (int i = 0; i < r.fieldCount; i++) {
            if (!r.named(i, "connection")) {
                continue;
            }
            int at = r.valueStart(i);
            int end = at + r.valueLength(i);
            while (at <= end) {
                int comma = at;
                while (comma < end && b[comma] != ',') {
                    comma++;
                }
                int s = at;
                int e = comma;
                while (s < e && RequestHead.ows(b[s])) {
                    s++;
                }
                while (e > s && RequestHead.ows(b[e - 1])) {
                    e--;
                }
                if (e - s == nameLength && sameIgnoringCase(b, s, nameAt, nameLength)) {
                    return true;
                }
                at = comma + 1;
            }
        }
        return false;
    }

    private static boolean sameIgnoringCase(byte[] b, int x, int y, int n) {
        for (int i = 0; i < n; i++) {
            int c = b[x + i];
            int d = b[y + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (d >= 'A' && d <= 'Z') {
                d += 32;
            }
            if (c != d) {
                return false;
            }
        }
        return true;
    }

    /** A field of the client's head as it came, with one space after the colon and no whitespace around the value. */
    private static void writeField(ByteBuf out, RequestHead r, int i) {
        out.writeBytes(r.bytes, r.nameStart(i), r.nameLength(i)).writeByte(':').writeByte(' ');
        out.writeBytes(r.bytes, r.valueStart(i), r.valueLength(i)).writeByte('\r').writeByte('\n');
    }

    private static void writeField(ByteBuf out, CharSequence name, CharSequence value) {
        ByteBufUtil.writeAscii(out, name);
        out.writeByte(':').writeByte(' ');
        out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        out.writeByte('\r').writeByte('\n');
    }

    /** The trailer fields of a chunked body, as they came. */
    private static void writeFields(ByteBuf out, HttpHeaders headers) {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> h = it.next();
            writeField(out, h.getKey(), h.getValue());
        }
    }

    /** A part of the body: as it is, or as a chunk of a chunked body (the end of which carries the trailer). Takes ownership. */
    static void content(Channel ch, HttpContent c, boolean chunked) {
        ByteBuf data = c.content();
        if (!chunked) {
            if (data.isReadable()) {
                ch.write(data, ch.voidPromise());
            } else {
                data.release();
            }
            return;
        }
        int n = data.readableBytes();
        if (n > 0) {
            ByteBuf size = ch.alloc().buffer(10);
            ByteBufUtil.writeAscii(size, Integer.toHexString(n));
            size.writeByte('\r').writeByte('\n');
            ch.write(size, ch.voidPromise());
            ch.write(data, ch.voidPromise());
            ch.write(CRLF.duplicate(), ch.voidPromise());
        } else {
            data.release();
        }
        if (c instanceof LastHttpContent) {
            HttpHeaders trailer = ((LastHttpContent) c).trailingHeaders();
            if (trailer.isEmpty()) {
                ch.write(LAST_CHUNK.duplicate(), ch.voidPromise());
            } else {
                ByteBuf end = ch.alloc().buffer(64);
                end.writeByte('0').writeByte('\r').writeByte('\n');
                writeFields(end, trailer);
                end.writeByte('\r').writeByte('\n');
                ch.write(end, ch.voidPromise());
            }
        }
    }

    /** The end of an empty chunked body, for a request sent again. */
    static ByteBuf lastChunk() {
        return LAST_CHUNK.duplicate();
    }
}
