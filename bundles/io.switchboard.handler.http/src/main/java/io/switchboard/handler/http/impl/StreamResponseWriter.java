package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * On a stream's child channel, between the proxy and the HTTP-to-frames conversion: the proxy
 * writes a response as HTTP/1.1 bytes (a head it made from the back-end's, or its own error answer,
 * then the body as the back-end's buffers, dechunked); this turns the head into an
 * {@code HttpResponse} (the conversion then leaves the connection-specific fields out) and each body
 * buffer into content as it is, without copying. The end of the response is the proxy's own
 * {@code LastHttpContent}, which ends the stream. Interim heads (100 Continue) go on as interim
 * HEADERS, and the final head follows.
 *
 * <p>The heads come from this proxy, so they are well formed; a head is parsed once it is whole.
 */
final class StreamResponseWriter extends ChannelOutboundHandlerAdapter {
    private static final int MAX_HEAD = ResponseReader.MAX_HEAD + 1024;

    /** Head bytes gathered so far (null: none). */
    private ByteBuf head;
    private boolean inBody;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf b = (ByteBuf) msg;
        if (inBody) {
            ctx.write(new DefaultHttpContent(b), promise);
            return;
        }
        head = head == null ? b : ctx.alloc().compositeBuffer().addComponents(true, head, b);
        while (!inBody) {
            int end = headEnd(head);
            if (end < 0) {
                if (head.readableBytes() > MAX_HEAD) {
                    ReferenceCountUtil.release(head);
                    head = null;
                    promise.setFailure(new IllegalStateException("response head too large"));
                    ctx.close();
                    return;
                }
                promise.trySuccess();
                return; // the rest of the head follows
            }
            DefaultHttpResponse response = parse(head, end);
            head.readerIndex(end);
            inBody = !response.status().codeClass().equals(io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL);
            ctx.write(response, inBody && !head.isReadable() ? promise : ctx.voidPromise());
        }
        ByteBuf rest = head;
        head = null;
        if (rest.isReadable()) {
            ctx.write(new DefaultHttpContent(rest), promise);
        } else {
            rest.release();
        }
    }

    /** The index after the head's empty line, or -1 when it has not all come. */
    private static int headEnd(ByteBuf b) {
        for (int i = b.readerIndex(); i + 3 < b.writerIndex(); i++) {
            if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n' && b.getByte(i + 2) == '\r' && b.getByte(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    private static DefaultHttpResponse parse(ByteBuf b, int end) {
        String text = b.toString(b.readerIndex(), end - 4 - b.readerIndex(), StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        // "HTTP/1.1 200 OK": the code is the second token, the reason the rest.
        String status = lines[0];
        int sp1 = status.indexOf(' ');
        int sp2 = status.indexOf(' ', sp1 + 1);
        int code = Integer.parseInt(sp2 < 0 ? status.substring(sp1 + 1) : status.substring(sp1 + 1, sp2));
        HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().withNameValidation(false).withValidation(false).newHeaders();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            headers.add(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code), headers);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (head != null) {
            head.release();
            head = null;
        }
    }
}
