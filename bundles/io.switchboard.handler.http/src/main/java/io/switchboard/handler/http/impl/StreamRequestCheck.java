package io.switchboard.handler.http.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Exception;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Between the stream's frame-to-HTTP conversion and the proxy: what HTTP/2 adds to a request on
 * the way (the {@code x-http2-*} fields Netty's conversion carries the scheme and stream id in) stays
 * behind, and the request's authority is one: {@code :authority} and a {@code Host} field that
 * differ, or neither, is a 400 (as several Hosts, or none, on HTTP/1.1). The frame codec has already
 * refused what HTTP/2 itself forbids (connection-specific fields, upper-case names, misplaced or
 * unknown pseudo-headers, DATA that disagrees with content-length).
 */
final class StreamRequestCheck extends ChannelInboundHandlerAdapter {
    private static final String EXTENSION_PREFIX = "x-http2-";

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            check((HttpRequest) msg);
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * A stream error the frame codec found (a malformed header block, DATA that disagrees with
     * content-length): the stream is reset with its code (Netty's own close would say CANCEL), and
     * the proxy's close of the stream then ends the exchange.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Http2Exception e = cause instanceof Http2Exception ? (Http2Exception) cause
                : cause.getCause() instanceof Http2Exception ? (Http2Exception) cause.getCause() : null;
        if (e != null && ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(e.error()));
        }
        ctx.fireExceptionCaught(cause);
    }

    private static void check(HttpRequest request) {
        HttpHeaders headers = request.headers();
        List<String> extensions = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (startsWithIgnoreCase(name, EXTENSION_PREFIX)) {
                if (extensions == null) {
                    extensions = new ArrayList<>(2);
                }
                extensions.add(name.toString());
            }
        }
        if (extensions != null) {
            extensions.forEach(headers::remove);
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        String reason = null;
        if (hosts.isEmpty()) {
            reason = "no :authority and no Host";
        } else if (hosts.size() > 1) {
            if (hosts.stream().allMatch(h -> h.equalsIgnoreCase(hosts.get(0)))) {
                headers.set(HttpHeaderNames.HOST, hosts.get(0));
            } else {
                reason = ":authority and Host differ";
            }
        }
        if (reason != null) {
            request.setDecoderResult(DecoderResult.failure(new RequestFramingValidator.Rejected(reason, false)));
        }
    }

    private static boolean startsWithIgnoreCase(CharSequence s, String prefix) {
        if (s.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(s.charAt(i)) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
