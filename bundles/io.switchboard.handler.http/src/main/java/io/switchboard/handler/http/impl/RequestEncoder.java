package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a decoded request to a back-end connection as bytes: the head in one buffer, the body as
 * the decoder's own buffers (chunk lines around them for a chunked request). Straight to the
 * channel, without an encoder in the back-end connection's pipeline.
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
    static ByteBuf head(ByteBufAllocator alloc, HttpRequest r, String clientIp, String via) {
        return head(alloc, r, clientIp, via, null, true);
    }

    /**
     * @param defaultHost the Host an HTTP/1.0 request without one is sent with (the endpoint's
     *                    host:port): the back-end gets HTTP/1.1, which requires it; null: none added
     * @param dropUnderscores whether header names with an underscore stay behind: CGI and WSGI
     *                    back-ends read {@code Content_Length} as {@code Content-Length}
     */
    static ByteBuf head(ByteBufAllocator alloc, HttpRequest r, String clientIp, String via, String defaultHost,
                        boolean dropUnderscores) {
        return head(alloc, r, clientIp, via, defaultHost, dropUnderscores, "http", false);
    }

    /**
     * @param proto the scheme the client spoke ({@code https} on a frontend that terminates TLS)
     * @param upgrade the request asks for an upgrade the proxy forwards: its Upgrade field goes on,
     *                with {@code Connection: upgrade} (both hop-by-hop: this hop asks the next one again)
     */
    static ByteBuf head(ByteBufAllocator alloc, HttpRequest r, String clientIp, String via, String defaultHost,
                        boolean dropUnderscores, String proto, boolean upgrade) {
        HttpHeaders headers = r.headers();
        String[] named = connectionNamed(headers);
        String xff = null;
        String forwarded = null;
        ByteBuf out = alloc.buffer(256);
        out.writeCharSequence(r.method().asciiName(), StandardCharsets.US_ASCII);
        out.writeByte(' ');
        out.writeCharSequence(r.uri(), StandardCharsets.ISO_8859_1);
        out.writeBytes(HTTP_11);
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> h = it.next();
            CharSequence name = h.getKey();
            if (dropUnderscores && hasUnderscore(name)) {
                continue;
            }
            if (upgrade && name.length() == 7 && is(name, "upgrade")) {
                writeField(out, name, h.getValue());
                continue;
            }
            switch (fieldKind(name, named)) {
                case DROP:
                    continue;
                case XFF:
                    xff = xff == null ? h.getValue().toString() : xff + ", " + h.getValue();
                    continue;
                case FORWARDED:
                    forwarded = forwarded == null ? h.getValue().toString() : forwarded + ", " + h.getValue();
                    continue;
                case CONTENT_LENGTH:
                    // The canonical number (the validator let only digits through): "010" reaches the back-end as "10".
                    writeField(out, name, canonicalLength(h.getValue()));
                    continue;
                default:
                    writeField(out, name, h.getValue());
            }
        }
        if (defaultHost != null && !headers.contains(HttpHeaderNames.HOST)) {
            writeField(out, "Host", defaultHost);
        }
        writeField(out, "X-Forwarded-For", xff == null ? clientIp : xff + ", " + clientIp);
        writeField(out, "X-Forwarded-Proto", proto);
        // RFC 7239: IPv6 addresses are quoted and bracketed.
        String node = clientIp.indexOf(':') >= 0 ? "\"[" + clientIp + "]\"" : clientIp;
        String hop = "for=" + node + ";proto=" + proto;
        writeField(out, "Forwarded", forwarded == null ? hop : forwarded + ", " + hop);
        if (via != null) {
            writeField(out, "Via", via);
        }
        if (upgrade) {
            writeField(out, "Connection", "upgrade");
        }
        out.writeByte('\r').writeByte('\n');
        return out;
    }

    private static final int KEEP = 0;
    private static final int DROP = 1;
    private static final int XFF = 2;
    private static final int FORWARDED = 3;
    private static final int CONTENT_LENGTH = 4;

    private static boolean hasUnderscore(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '_') {
                return true;
            }
        }
        return false;
    }

    static CharSequence canonicalLength(CharSequence value) {
        int i = 0;
        int n = value.length();
        while (i < n - 1 && value.charAt(i) == '0') {
            i++;
        }
        return i == 0 ? value : value.subSequence(i, n);
    }

    /** The field names a Connection header lists (framing fields and Host excepted), or null. */
    private static String[] connectionNamed(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
        if (values.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>(2);
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                // A Connection token never removes what frames or addresses the request: Host,
                // Content-Length, Transfer-Encoding (a client naming Host would otherwise send HTTP/1.1 without it).
                if (!t.isEmpty() && !t.equalsIgnoreCase("close") && !t.equalsIgnoreCase("keep-alive")
                        && !t.equalsIgnoreCase("transfer-encoding") && !t.equalsIgnoreCase("content-length")
                        && !t.equalsIgnoreCase("host")) {
                    names.add(t);
                }
            }
        }
        return names.isEmpty() ? null : names.toArray(new String[0]);
    }

    private static int fieldKind(CharSequence name, String[] named) {
        if (HttpSyntax.hopByHop(name)) {
            return DROP;
        }
        switch (name.length()) {
            case 9:
                return is(name, "forwarded") ? FORWARDED : kindIfNamed(name, named);
            case 14:
                return is(name, "content-length") ? CONTENT_LENGTH : kindIfNamed(name, named);
            case 15:
                return is(name, "x-forwarded-for") ? XFF : kindIfNamed(name, named);
            case 17:
                return is(name, "x-forwarded-proto") ? DROP : kindIfNamed(name, named); // replaced by ours
            default:
                return kindIfNamed(name, named);
        }
    }

    private static int kindIfNamed(CharSequence name, String[] named) {
        if (named != null) {
            for (String n : named) {
                if (AsciiString.contentEqualsIgnoreCase(name, n)) {
                    return DROP;
                }
            }
        }
        return KEEP;
    }

    private static boolean is(CharSequence name, String lower) {
        return AsciiString.contentEqualsIgnoreCase(name, lower);
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
