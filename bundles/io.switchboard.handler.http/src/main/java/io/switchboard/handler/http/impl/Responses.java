package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The responses the proxy makes itself, as bytes for the client connection. */
final class Responses {
    private Responses() {
    }

    /** A short plain-text error; without a body in answer to HEAD. */
    static ByteBuf error(ByteBufAllocator alloc, HttpResponseStatus status, String detail, boolean keepAlive, boolean head) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + ": " + detail + "\n").getBytes(StandardCharsets.UTF_8);
        return response(alloc, status.code(), status.reasonPhrase(), "text/plain; charset=utf-8",
                head ? null : ByteBuffer.wrap(body), body.length, keepAlive);
    }

    static ByteBuf error(ByteBufAllocator alloc, HttpResponseStatus status, String detail, boolean keepAlive) {
        return error(alloc, status, detail, keepAlive, false);
    }

    /**
     * The answer to a request the decoder or the framing checks rejected ({@code cause}): 414 for a
     * request line over the limit, 431 for a header section over it, else 400; the connection closes.
     */
    static ByteBuf rejection(ByteBufAllocator alloc, Throwable cause) {
        HttpResponseStatus status = rejectionStatus(cause);
        String why = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
        String detail = cause instanceof TooLongFrameException ? "request head over the limit"
                : "malformed request" + (why.length() > 160 ? why.substring(0, 160) : why);
        return error(alloc, status, detail, false);
    }

    /** The status a rejected request gets: 414, 431 or 400. */
    static HttpResponseStatus rejectionStatus(Throwable cause) {
        return cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
    }

    /** Bytes of the head of a response made here (its empty line included); the rest is its body. For the access log. */
    static int headLength(ByteBuf response) {
        int from = response.readerIndex();
        int to = response.writerIndex() - 3;
        for (int i = from; i < to; i++) {
            if (response.getByte(i) == '\r' && response.getByte(i + 1) == '\n' && response.getByte(i + 2) == '\r'
                    && response.getByte(i + 3) == '\n') {
                return i + 4 - from;
            }
        }
        return response.readableBytes();
    }

    /** The status of {@link #rejection} for the cause. */
    static int rejectionCode(Throwable cause) {
        return rejectionStatus(cause).code();
    }

    /** A complete response; {@code body} null sends the head only (with {@code length} as Content-Length). */
    static ByteBuf response(ByteBufAllocator alloc, int status, String reason, String contentType, ByteBuffer body,
                            int length, boolean keepAlive) {
        StringBuilder head = new StringBuilder(128).append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("Content-Length: ").append(length).append("\r\n")
                .append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n\r\n");
        ByteBuf out = alloc.buffer(head.length() + (body == null ? 0 : body.remaining()));
        out.writeCharSequence(head, StandardCharsets.ISO_8859_1);
        if (body != null) {
            out.writeBytes(body.duplicate());
        }
        return out;
    }
}
