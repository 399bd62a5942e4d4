package io.switchboard.transport.impl.http;

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
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a decoded request to a back-end connection as bytes: the head in one buffer, the body as
 * the decoder's own buffers (chunk lines around them for a chunked request). Straight to the
 * channel, without an encoder in the back-end connection's pipeline.
 */
final class RequestEncoder {
    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();
    private static final ByteBuf LAST_CHUNK = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(5).writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();
    private static final byte[] HTTP_11 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    private RequestEncoder() {
    }

    /** The request head; back-end connections always speak HTTP/1.1. */
    static ByteBuf head(ByteBufAllocator alloc, HttpRequest r) {
        ByteBuf out = alloc.buffer(256);
        out.writeCharSequence(r.method().asciiName(), StandardCharsets.US_ASCII);
        out.writeByte(' ');
        out.writeCharSequence(r.uri(), StandardCharsets.ISO_8859_1);
        out.writeBytes(HTTP_11);
        writeFields(out, r.headers());
        out.writeBytes(CRLF, CRLF.readerIndex(), 2);
        return out;
    }

    private static void writeFields(ByteBuf out, HttpHeaders headers) {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> h = it.next();
            ByteBufUtil.writeAscii(out, h.getKey());
            out.writeByte(':').writeByte(' ');
            out.writeCharSequence(h.getValue(), StandardCharsets.ISO_8859_1);
            out.writeByte('\r').writeByte('\n');
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
